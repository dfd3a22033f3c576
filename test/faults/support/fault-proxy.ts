import net from 'node:net';

/**
 * What the proxy does with connections, the way Toxiproxy is used in front of a dependency:
 * - `pass`:   forwards both ways.
 * - `refuse`: resets every new connection as soon as it is accepted (the client reads ECONNRESET,
 *             as from a dependency that died), and by default resets the open ones too.
 * - `hang`:   accepts and reads, but forwards nothing either way, on new and open connections: a
 *             dependency (or a network path) that stalls without closing anything. What was read
 *             is kept and delivered in order once the proxy passes again, as TCP would deliver it
 *             once a stalled path heals.
 */
export type ProxyMode = 'pass' | 'refuse' | 'hang';

/** One client connection and its upstream twin. */
class Link {
  private upstream?: net.Socket;
  private connecting = false;
  private readonly toUpstream: Buffer[] = [];
  private readonly toClient: Buffer[] = [];
  private clientEnded = false;
  private upstreamEnded = false;
  private closed = false;

  constructor(
    private readonly client: net.Socket,
    private readonly target: { host: string; port: number },
    private readonly isFlowing: () => boolean,
    private readonly onClose: (link: Link) => void,
  ) {
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      if (this.isFlowing() && this.upstream && !this.connecting) this.write(this.upstream, chunk);
      else this.toUpstream.push(chunk);
    });
    client.on('end', () => {
      this.clientEnded = true;
      if (this.isFlowing() && this.upstream && !this.connecting) this.upstream.end();
    });
    client.on('error', () => this.close());
    client.on('close', () => this.close());
    if (this.isFlowing()) this.flow();
  }

  /** Starts or resumes forwarding: connects upstream if not yet done, then delivers what waited. */
  flow(): void {
    if (this.closed) return;
    if (!this.upstream) {
      this.connecting = true;
      const upstream = net.connect(this.target.port, this.target.host);
      this.upstream = upstream;
      upstream.setNoDelay(true);
      upstream.on('connect', () => {
        this.connecting = false;
        if (this.isFlowing()) this.flush();
      });
      upstream.on('data', (chunk: Buffer) => {
        if (this.isFlowing()) this.write(this.client, chunk);
        else this.toClient.push(chunk);
      });
      upstream.on('end', () => {
        this.upstreamEnded = true;
        if (this.isFlowing()) this.client.end();
      });
      upstream.on('error', () => this.close());
      upstream.on('close', () => this.close());
      return;
    }
    if (!this.connecting) this.flush();
  }

  private flush(): void {
    const upstream = this.upstream!;
    for (const chunk of this.toUpstream.splice(0)) this.write(upstream, chunk);
    for (const chunk of this.toClient.splice(0)) this.write(this.client, chunk);
    if (this.clientEnded) upstream.end();
    if (this.upstreamEnded) this.client.end();
  }

  /** Writes with backpressure: the other side stops being read until this one drains. */
  private write(to: net.Socket, chunk: Buffer): void {
    if (to.destroyed) return;
    if (!to.write(chunk)) {
      const from = to === this.client ? this.upstream : this.client;
      from?.pause();
      to.once('drain', () => from?.resume());
    }
  }

  /** Resets both sides (RST, not FIN): the client sees ECONNRESET. */
  reset(): void {
    if (this.closed) return;
    this.client.resetAndDestroy();
    this.upstream?.resetAndDestroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream?.destroy();
    this.onClose(this);
  }
}

/**
 * A controllable TCP proxy on a free loopback port in front of `target`. Apps are pointed at
 * `endpoint` instead of the dependency; a test switches the mode at any time.
 */
export class FaultProxy {
  private mode: ProxyMode = 'pass';
  private readonly links = new Set<Link>();
  /** Connections accepted since start, and how many of them were reset on arrival. */
  readonly counts = { accepted: 0, refused: 0 };

  private constructor(
    private readonly server: net.Server,
    readonly target: { host: string; port: number },
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** `target` is host:port, or a URL whose host and port are taken. */
  static async start(target: string): Promise<FaultProxy> {
    const url = new URL(target.includes('://') ? target : `tcp://${target}`);
    const to = { host: url.hostname, port: Number(url.port) };
    if (!to.port) throw new Error(`no port in proxy target ${target}`);
    const server = net.createServer({ allowHalfOpen: true });
    const proxy = new FaultProxy(server, to);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** host:port of the proxy. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** http://127.0.0.1:<port>, for the AWS endpoints. */
  get endpoint(): string {
    return `http://${this.hostPort}`;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  /** Connections open through the proxy now. */
  get open(): number {
    return this.links.size;
  }

  /** Forwards again; connections held by a hang get what was waiting for them, in order. */
  pass(): void {
    this.mode = 'pass';
    for (const link of this.links) link.flow();
  }

  /** The same as `pass()`: the dependency is back. */
  resume(): void {
    this.pass();
  }

  /** Resets new connections; open ones too unless `keepOpen`. */
  refuse(options: { keepOpen?: boolean } = {}): void {
    this.mode = 'refuse';
    if (!options.keepOpen) for (const link of [...this.links]) link.reset();
  }

  /** Stops forwarding on every connection, open and new, without closing any. */
  hang(): void {
    this.mode = 'hang';
  }

  private accept(socket: net.Socket): void {
    this.counts.accepted++;
    if (this.mode === 'refuse') {
      this.counts.refused++;
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const link = new Link(
      socket,
      this.target,
      () => this.mode !== 'hang',
      (l) => this.links.delete(l),
    );
    this.links.add(link);
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) link.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
