import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { checkTrackableUrl } from '@app/jobs-domain';
import { EgressBlockedError, EgressGuard, type ResolvedAddress } from './egress-guard';

/** A connection the proxy refused; `host` and `port` are the destination, never page data. */
export interface EgressRefusal {
  /** The proxy user (BrowserPool: one per render slot), to attribute the attempt to a check. */
  client: string;
  host: string;
  port: number;
  reason: string;
}

export interface EgressProxyOptions {
  connectTimeoutMs?: number;
  /** A tunnel or forwarded request with no traffic for this long is closed. */
  idleTimeoutMs?: number;
  /** Sockets from Chromium at once, all clients together; more are not accepted. */
  maxConnections?: number;
  /**
   * Open upstream connections per client (one render slot): a page opening thousands of sockets
   * exhausts its own share, not the other renders'.
   */
  maxConnectionsPerClient?: number;
  onRefused?: (refusal: EgressRefusal) => void;
  /**
   * Whether an authenticated client may connect now (BrowserPool: only while a render holds its
   * slot). A refused client gets 403, so nothing a page left behind (a service worker's script
   * fetch, a late beacon, a favicon) reaches the network between checks.
   */
  admit?: (client: string) => boolean;
  /**
   * Opens the TCP connection to an address the guard accepted. Tests replace it to stand a
   * loopback server in for a public address; production uses net.connect.
   */
  dial?: (address: string, port: number) => net.Socket;
}

const REALM = 'pricewatch-egress';
const USERNAME = /^[A-Za-z0-9_-]{1,64}$/;
// Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own credentials never go upstream.
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function noop(): void {}

/** CONNECT's authority-form target, host:port with an explicit port. */
function parseAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]/@\s]+):(\d{1,5})$/.exec(authority);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  try {
    // Normalises the host (IDNA, IPv4 shorthands such as 2130706433) as the policy expects.
    return { host: new URL(`http://${m[1]}/`).hostname, port };
  } catch {
    return null;
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function forwardHeaders(rawHeaders: string[], keepUpgrade = false): string[] {
  const connectionTokens = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection')
      for (const t of rawHeaders[i + 1].split(',')) connectionTokens.add(t.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const keep =
      keepUpgrade && (name === 'upgrade' || name === 'connection')
        ? true
        : !HOP_BY_HOP.has(name) && !connectionTokens.has(name);
    if (keep) out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/** A 403's Proxy-Status (RFC 9209): says which hop refused, so a page sees no shop's answer. */
const IDLE_CLIENT = `${REALM}; error=connection_refused`;
const PROHIBITED_DESTINATION = `${REALM}; error=destination_ip_prohibited`;
const CHALLENGE = `Basic realm="${REALM}"`;

/**
 * The answers a request can get before it reaches upstream, written once per kind of request:
 * raw on the socket (CONNECT, WebSocket upgrade) or through the HTTP response (plain forwarding).
 */
interface Answer {
  /** 407: no token, or a wrong one. */
  challenge(): void;
  /** 403: a known client with no business on the network now (no check running on its page). */
  idle(): void;
  badRequest(): void;
  /** 403: the egress policy refused the destination. */
  refusal(): void;
  badGateway(): void;
  /** Whether the client went away (nothing left to answer). */
  gone(): boolean;
}

function rawReply(socket: Duplex, status: string, headers: string[] = []): void {
  if (socket.destroyed) return;
  socket.end(
    [`HTTP/1.1 ${status}`, ...headers, 'Content-Length: 0', 'Connection: close', '', ''].join(
      '\r\n',
    ),
  );
}

function rawAnswer(socket: Duplex): Answer {
  return {
    challenge: () =>
      rawReply(socket, '407 Proxy Authentication Required', [`Proxy-Authenticate: ${CHALLENGE}`]),
    idle: () => rawReply(socket, '403 Forbidden', [`Proxy-Status: ${IDLE_CLIENT}`]),
    badRequest: () => rawReply(socket, '400 Bad Request'),
    refusal: () => rawReply(socket, '403 Forbidden', [`Proxy-Status: ${PROHIBITED_DESTINATION}`]),
    badGateway: () => rawReply(socket, '502 Bad Gateway'),
    gone: () => socket.destroyed,
  };
}

function responseAnswer(req: http.IncomingMessage, res: http.ServerResponse): Answer {
  return {
    challenge: () =>
      res.writeHead(407, { 'proxy-authenticate': CHALLENGE, connection: 'close' }).end(),
    idle: () => res.writeHead(403, { 'proxy-status': IDLE_CLIENT, connection: 'close' }).end(),
    badRequest: () => res.writeHead(400, { connection: 'close' }).end(),
    refusal: () => res.writeHead(403, { 'proxy-status': PROHIBITED_DESTINATION }).end(),
    badGateway: () => res.writeHead(502).end(),
    gone: () => req.socket.destroyed,
  };
}

/** An absolute-form request target (http://host:port/path) with one of `protocols`, or null. */
function parseAbsolute(
  target: string | undefined,
  protocols: string[],
): { host: string; port: number; scheme: 'http'; path: string } | null {
  let url: URL;
  try {
    url = new URL(target ?? '');
  } catch {
    return null;
  }
  if (!protocols.includes(url.protocol)) return null;
  return {
    host: url.hostname,
    port: Number(url.port || 80),
    scheme: 'http',
    path: `${url.pathname}${url.search}`,
  };
}

/**
 * The browser's only way out: an HTTP proxy on loopback (plain forwarding, CONNECT tunnels,
 * WebSocket upgrades) that resolves each destination once, judges the resolved addresses with
 * the same EgressGuard as the HTTP fetcher, and connects to exactly the address it judged, so a
 * DNS answer that changes between check and connect changes nothing. It serves only clients that
 * present its per-process token (Proxy-Authorization: Basic), so nothing else on the pod can use
 * it to reach what the NetworkPolicy allows the worker.
 */
export class EgressProxy {
  private readonly token = randomBytes(24).toString('base64url');
  private readonly server: http.Server;
  private readonly sockets = new Set<Duplex>();
  private readonly perClient = new Map<string, number>();
  private readonly opts: Required<Omit<EgressProxyOptions, 'onRefused' | 'admit'>>;
  private listening: Promise<number> | null = null;
  connections = 0;
  refused = 0;

  constructor(
    private readonly guard: EgressGuard,
    private readonly options: EgressProxyOptions = {},
  ) {
    this.opts = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxConnections: options.maxConnections ?? 1024,
      maxConnectionsPerClient: options.maxConnectionsPerClient ?? 64,
      dial: options.dial ?? ((address, port) => net.connect({ host: address, port })),
    };
    this.server = http.createServer({ requestTimeout: 0 });
    this.server.maxConnections = this.opts.maxConnections;
    this.server.on('connection', (socket: net.Socket) => this.track(socket));
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.forward(req, res);
    });
    this.server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.tunnel(req, socket, head);
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
    this.server.on('clientError', (_err, socket: Duplex) => socket.destroy());
  }

  /** Listens on a free loopback port; returns it. */
  start(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
    return this.listening;
  }

  /** The credentials a client (one render slot) answers the proxy's 407 challenge with. */
  credentials(client: string): { username: string; password: string } {
    if (!USERNAME.test(client)) throw new RangeError('proxy client name must be [A-Za-z0-9_-]');
    return { username: client, password: this.token };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (!this.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', noop);
  }

  /** The proxy user that presented the token, or null. */
  private client(req: http.IncomingMessage): string | null {
    const header = req.headers['proxy-authorization'];
    if (typeof header !== 'string' || !/^basic /i.test(header)) return null;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const username = decoded.slice(0, colon);
    const given = Buffer.from(decoded.slice(colon + 1));
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return USERNAME.test(username) ? username : null;
  }

  /**
   * The one address to connect to: the policy's host-name rules, then one resolution judged by
   * the guard's lookup for this port (allow list first, else every address must be public).
   */
  private async destination(
    host: string,
    port: number,
    scheme: 'http' | 'https',
  ): Promise<ResolvedAddress> {
    const bare = stripBrackets(host);
    const authority = bare.includes(':') ? `[${bare}]` : bare;
    const verdict = checkTrackableUrl(`${scheme}://${authority}:${port}/`, this.guard.allowList);
    if (!verdict.ok) throw new EgressBlockedError(verdict.reason);
    const addresses = await new Promise<ResolvedAddress[]>((resolve, reject) =>
      this.guard.lookupForPort(port)(bare, { all: true }, (err, result: ResolvedAddress[]) =>
        err ? reject(err) : resolve(result),
      ),
    );
    if (addresses.length === 0) throw new EgressBlockedError('host has no address');
    return addresses[0];
  }

  /** Connects to a judged address for a client within its share; resolves once connected. */
  private dial(client: string, address: string, port: number): Promise<net.Socket> {
    const open = this.perClient.get(client) ?? 0;
    if (open >= this.opts.maxConnectionsPerClient)
      return Promise.reject(new Error('too many connections for this client'));
    this.perClient.set(client, open + 1);
    return new Promise((resolve, reject) => {
      const socket = this.opts.dial(address, port);
      this.track(socket);
      socket.once('close', () => {
        const n = (this.perClient.get(client) ?? 1) - 1;
        if (n <= 0) this.perClient.delete(client);
        else this.perClient.set(client, n);
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('connect timeout'));
      }, this.opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setTimeout(this.opts.idleTimeoutMs, () => socket.destroy());
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private refuse(client: string, host: string, port: number, err: unknown): void {
    this.refused++;
    const reason = err instanceof EgressBlockedError ? err.message : 'host name not found';
    try {
      this.options.onRefused?.({ client, host: stripBrackets(host).slice(0, 255), port, reason });
    } catch {
      // An observer's bug must not break the proxy.
    }
  }

  private admitted(client: string): boolean {
    if (!this.options.admit) return true;
    try {
      return this.options.admit(client);
    } catch {
      return false;
    }
  }

  /**
   * The client a request comes from, if it presented the token and may connect now; otherwise
   * null, after answering 407 (no or wrong token) or 403 (no check running on its page).
   */
  private admittedClient(req: http.IncomingMessage, answer: Answer): string | null {
    this.connections++;
    const client = this.client(req);
    if (!client) {
      answer.challenge();
      return null;
    }
    if (!this.admitted(client)) {
      answer.idle();
      return null;
    }
    return client;
  }

  /**
   * The one way from a request to an upstream socket, for every kind of request: the policy's
   * verdict on one resolution, then a connection to exactly the address judged. A refused
   * destination (or a name that does not resolve) is counted, reported and answered 403; any
   * other failure 502. Null once answered, or when the client left while this connected.
   */
  private async openUpstream(
    client: string,
    target: { host: string; port: number; scheme: 'http' | 'https' },
    answer: Answer,
  ): Promise<net.Socket | null> {
    let upstream: net.Socket;
    try {
      const address = await this.destination(target.host, target.port, target.scheme);
      upstream = await this.dial(client, address.address, target.port);
    } catch (err) {
      if (err instanceof EgressBlockedError || (err as { code?: string }).code === 'ENOTFOUND') {
        this.refuse(client, target.host, target.port, err);
        answer.refusal();
      } else {
        answer.badGateway();
      }
      return null;
    }
    if (answer.gone()) {
      upstream.destroy();
      return null;
    }
    return upstream;
  }

  /** CONNECT host:port: https and wss (Chromium tunnels ws:// through CONNECT too). */
  private async tunnel(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const answer = rawAnswer(socket);
    const client = this.admittedClient(req, answer);
    if (!client) return;
    const target = parseAuthority(req.url ?? '');
    if (!target) return answer.badRequest();
    const upstream = await this.openUpstream(client, { ...target, scheme: 'https' }, answer);
    if (!upstream) return;
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    this.splice(socket, upstream);
  }

  /** An absolute-form WebSocket handshake (ws:// without CONNECT). */
  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const answer = rawAnswer(socket);
    const client = this.admittedClient(req, answer);
    if (!client) return;
    const url = parseAbsolute(req.url, ['http:', 'ws:']);
    if (!url) return answer.badRequest();
    const upstream = await this.openUpstream(client, url, answer);
    if (!upstream) return;
    const headers = forwardHeaders(req.rawHeaders, true);
    const lines = [`${req.method} ${url.path} HTTP/1.1`];
    for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    this.splice(socket, upstream);
  }

  /** Plain http:// requests in absolute form. */
  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const answer = responseAnswer(req, res);
    const client = this.admittedClient(req, answer);
    if (!client) return;
    const url = parseAbsolute(req.url, ['http:']);
    if (!url) return answer.badRequest();
    const upstream = await this.openUpstream(client, url, answer);
    if (!upstream) return;
    const outgoing = http.request({
      method: req.method,
      path: url.path,
      headers: forwardHeaders(req.rawHeaders),
      createConnection: () => upstream,
      setHost: false,
    });
    const fail = () => {
      upstream.destroy();
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    };
    outgoing.on('error', fail);
    req.on('error', fail);
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    outgoing.on('response', (incoming) => {
      res.writeHead(incoming.statusCode ?? 502, forwardHeaders(incoming.rawHeaders));
      incoming.pipe(res);
      incoming.on('error', fail);
      incoming.on('end', () => upstream.end());
    });
    req.pipe(outgoing);
  }

  private splice(a: Duplex, b: net.Socket): void {
    const end = () => {
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
    a.pipe(b);
    b.pipe(a);
  }
}
