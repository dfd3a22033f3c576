import net from 'node:net';
import { eventually } from '../support/apps';
import { FaultProxy } from './support/fault-proxy';

/** An echo server that also keeps every byte it was sent. */
async function startEcho(): Promise<{ port: number; received(): string; close(): Promise<void> }> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client connection that collects what it reads and how it ended. */
function openLink(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { data: '', error: undefined as NodeJS.ErrnoException | undefined, closed: false };
  socket.on('data', (chunk) => (state.data += chunk.toString()));
  socket.on('error', (err) => (state.error = err));
  socket.on('close', () => (state.closed = true));
  return { socket, state };
}

async function connect(port: number) {
  const link = openLink(port);
  await new Promise<void>((resolve, reject) => {
    link.socket.once('connect', resolve);
    link.socket.once('error', reject);
  });
  return link;
}

const until = (what: string, probe: () => boolean) =>
  eventually(async () => (probe() ? true : undefined), 5000, what);

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    echo = await startEcho();
    proxy = await FaultProxy.start(`127.0.0.1:${echo.port}`);
  });
  afterEach(async () => {
    await proxy.close();
    await echo.close();
  });

  it('forwards both ways while passing', async () => {
    const { socket, state } = await connect(proxy.port);
    socket.write('hello');
    await until('the echo', () => state.data === 'hello');
    expect(echo.received()).toBe('hello');
    socket.destroy();
  });

  it('resets new connections while refusing, and open ones unless told to keep them', async () => {
    const open = await connect(proxy.port);
    const kept = await connect(proxy.port);
    kept.socket.write('a');
    await until('the first echo', () => kept.state.data === 'a');

    proxy.refuse({ keepOpen: true });
    // The kernel completes the handshake, and the proxy resets the connection at once.
    const refused = openLink(proxy.port);
    await until('the reset', () => refused.state.closed);
    expect(refused.state.error?.code).toBe('ECONNRESET');
    expect(proxy.counts.refused).toBe(1);
    kept.socket.write('b');
    await until('the kept connection to still work', () => kept.state.data === 'ab');

    proxy.refuse();
    await until('open connections reset', () => open.state.closed && kept.state.closed);
    expect(open.state.error?.code).toBe('ECONNRESET');
  });

  it('holds new and open connections while hanging, and delivers in order on resume', async () => {
    const before = await connect(proxy.port);
    before.socket.write('1');
    await until('the first echo', () => before.state.data === '1');

    proxy.hang();
    before.socket.write('2');
    const during = await connect(proxy.port); // accepted, and read from
    during.socket.write('x');
    // An HTTP client's own deadline is how a hung dependency shows: no answer, no close.
    await expect(
      fetch(`${proxy.endpoint}/`, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow();
    expect(echo.received()).toBe('1');
    expect(before.state.data).toBe('1');
    expect(before.state.closed || during.state.closed).toBe(false);

    proxy.resume();
    before.socket.write('3');
    await until('the held bytes', () => before.state.data === '123' && during.state.data === 'x');
    before.socket.destroy();
    during.socket.destroy();
  });

  it('closes the upstream side when the client goes away', async () => {
    const { socket } = await connect(proxy.port);
    socket.write('z');
    await until('the echo server to see it', () => echo.received() === 'z');
    expect(proxy.open).toBe(1);
    socket.destroy();
    await until('the link to close', () => proxy.open === 0);
  });
});
