/**
 * The browser's egress proxy on its own, with raw sockets on loopback: a "shop" on an allowed
 * port, a canary on a refused one that must never see a connection, and a resolver whose answers
 * change between calls (DNS rebinding).
 */
import http from 'node:http';
import net from 'node:net';
import { EgressAllowList } from '@app/jobs-domain';
import {
  EgressGuard,
  EgressProxy,
  type EgressRefusal,
  type Resolver,
} from '../../apps/scraper-worker/src/fetching';

interface Listener {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A TCP server that counts connections and answers every request with `text`. */
async function listener(text: string): Promise<Listener> {
  const state = { connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.end(text));
  server.on('connection', (s: net.Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A minimal WebSocket-ish upgrade: answers 101 and echoes.
  server.on('upgrade', (_req, socket) => {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from(`${text}:`), d])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Sends raw bytes to the proxy and reads until the peer closes or `until` matches. */
async function exchange(port: number, request: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; got ${JSON.stringify(data)}`));
    }, 5_000);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (until?.test(data)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

const auth = (username: string, password: string) =>
  `Proxy-Authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}\r\n`;

// A public documentation-free address standing for "the shop's real address"; the dial seam
// connects it to a loopback stand-in, so nothing leaves the machine.
const PUBLIC_ADDRESS = '93.184.215.14';
// Another "public" address, dialled to a loopback port nothing listens on: upstream is down.
const DOWN_ADDRESS = '93.184.215.15';

/** A loopback port that refuses connections (listened on once, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

type Creds = { username: string; password: string };

/**
 * The three kinds of request the proxy serves, each asking for `authority` (host:port): a CONNECT
 * tunnel (that sends a GET through it), a plain absolute-form GET, and an absolute-form WebSocket
 * upgrade. `reached` matches the answer only the upstream server can give.
 */
const KINDS: Record<
  'CONNECT' | 'plain HTTP' | 'WebSocket upgrade',
  { request: (authority: string, c: Creds) => string; reached: RegExp }
> = {
  CONNECT: {
    request: (authority, c) =>
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth(c.username, c.password)}\r\n` +
      `GET / HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`,
    reached: /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 [^]*\r\n\r\n\S+$/,
  },
  'plain HTTP': {
    request: (authority, c) =>
      `GET http://${authority}/p HTTP/1.1\r\nHost: ${authority}\r\n${auth(c.username, c.password)}Connection: close\r\n\r\n`,
    reached: /^HTTP\/1\.1 200 [^]*\r\n\r\n\S+$/,
  },
  'WebSocket upgrade': {
    request: (authority, c) =>
      `GET http://${authority}/socket HTTP/1.1\r\nHost: ${authority}\r\n${auth(c.username, c.password)}` +
      `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    reached: /^HTTP\/1\.1 101 [^]*\r\n\r\n$/,
  },
};

describe('EgressProxy', () => {
  let shop: Listener;
  let canary: Listener;
  let standIn: Listener;
  let proxy: EgressProxy;
  let port: number;
  let creds: Creds;
  let downPort: number;
  const refusals: EgressRefusal[] = [];
  const answers: Record<string, string[]> = {};
  const resolverCalls: string[] = [];

  const resolver: Resolver = async (hostname) => {
    resolverCalls.push(hostname);
    const queue = answers[hostname];
    const address = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
    if (!address) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };

  beforeAll(async () => {
    [shop, canary, standIn, downPort] = await Promise.all([
      listener('shop'),
      listener('CANARY-SECRET'),
      listener('public-stand-in'),
      closedPort(),
    ]);
    const guard = new EgressGuard(new EgressAllowList([`127.0.0.1:${shop.port}`]), { resolver });
    proxy = new EgressProxy(guard, {
      onRefused: (r) => refusals.push(r),
      dial: (address, p) =>
        net.connect(
          address === PUBLIC_ADDRESS
            ? { host: '127.0.0.1', port: standIn.port }
            : address === DOWN_ADDRESS
              ? { host: '127.0.0.1', port: downPort }
              : { host: address, port: p },
        ),
    });
    port = await proxy.start();
    creds = proxy.credentials('slot-1');
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.all([shop, canary, standIn].map((l) => l?.close()));
  });

  afterEach(() => {
    // Whatever a test did, the canary never saw a connection.
    expect(canary.connections).toBe(0);
  });

  it('challenges a client without the token, and one with a wrong token', async () => {
    const target = `127.0.0.1:${shop.port}`;
    const none = await exchange(port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    expect(none).toMatch(/^HTTP\/1\.1 407 /);
    expect(none).toMatch(/Proxy-Authenticate: Basic realm="pricewatch-egress"/);
    const wrong = await exchange(
      port,
      `GET http://${target}/ HTTP/1.1\r\nHost: ${target}\r\n${auth('slot-1', `${creds.password}x`)}\r\n`,
    );
    expect(wrong).toMatch(/^HTTP\/1\.1 407 /);
    expect(shop.connections).toBe(0);
  });

  it('forwards plain HTTP to an allowed destination and refuses a refused one', async () => {
    const ok = await exchange(
      port,
      `GET http://127.0.0.1:${shop.port}/p/x HTTP/1.1\r\nHost: 127.0.0.1:${shop.port}\r\n${auth(creds.username, creds.password)}Connection: close\r\n\r\n`,
    );
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    expect(ok).toMatch(/\r\n\r\nshop$/);
    const refused = await exchange(
      port,
      `GET http://127.0.0.1:${canary.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${canary.port}\r\n${auth(creds.username, creds.password)}Connection: close\r\n\r\n`,
    );
    expect(refused).toMatch(/^HTTP\/1\.1 403 /);
    expect(refused).toMatch(/proxy-status: pricewatch-egress; error=destination_ip_prohibited/i);
    expect(refused).not.toContain('CANARY');
    expect(refusals).toContainEqual(
      expect.objectContaining({ client: 'slot-1', host: '127.0.0.1', port: canary.port }),
    );
  });

  it.each([
    ['the loopback canary', () => `127.0.0.1:${canary.port}`],
    ['localhost by name', () => `localhost:${canary.port}`],
    ['IPv6 loopback', () => `[::1]:${canary.port}`],
    ['the metadata service', () => '169.254.169.254:80'],
    ['an IPv4-mapped loopback', () => `[::ffff:127.0.0.1]:${canary.port}`],
    ['a decimal loopback', () => `2130706433:${canary.port}`],
    ['an allowed host on another port', () => `127.0.0.1:${canary.port}`],
  ])('refuses CONNECT to %s', async (_name, target) => {
    const reply = await exchange(
      port,
      `CONNECT ${target()} HTTP/1.1\r\nHost: ${target()}\r\n${auth(creds.username, creds.password)}\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('tunnels CONNECT to an allowed destination', async () => {
    const reply = await exchange(
      port,
      `CONNECT 127.0.0.1:${shop.port} HTTP/1.1\r\nHost: 127.0.0.1:${shop.port}\r\n${auth(creds.username, creds.password)}\r\n` +
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      /\r\n\r\nshop$/,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 /);
  });

  it('connects to the address it judged, so a rebinding answer cannot reach the canary', async () => {
    // First answer public, every later one loopback: a check-then-connect proxy would judge the
    // first and connect to the second.
    answers['rebind.example.com'] = [PUBLIC_ADDRESS, '127.0.0.1'];
    resolverCalls.length = 0;
    const before = standIn.connections;
    const first = await exchange(
      port,
      `CONNECT rebind.example.com:${canary.port} HTTP/1.1\r\nHost: rebind.example.com\r\n${auth(creds.username, creds.password)}\r\n` +
        `GET / HTTP/1.1\r\nHost: rebind.example.com\r\nConnection: close\r\n\r\n`,
      /public-stand-in$/,
    );
    expect(first).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    expect(resolverCalls).toEqual(['rebind.example.com']);
    expect(standIn.connections).toBe(before + 1);
    // Now the name answers loopback: refused, by the same single resolution.
    const second = await exchange(
      port,
      `CONNECT rebind.example.com:${canary.port} HTTP/1.1\r\nHost: rebind.example.com\r\n${auth(creds.username, creds.password)}\r\n`,
    );
    expect(second).toMatch(/^HTTP\/1\.1 403 /);
    expect(resolverCalls).toEqual(['rebind.example.com', 'rebind.example.com']);
  });

  it('refuses a name that resolves to a mix of public and private addresses', async () => {
    answers['mixed.example.com'] = [PUBLIC_ADDRESS];
    const mixed: Resolver = async () => [
      { address: PUBLIC_ADDRESS, family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const guard = new EgressGuard(new EgressAllowList([]), { resolver: mixed });
    const strict = new EgressProxy(guard);
    const p = await strict.start();
    const c = strict.credentials('slot-2');
    try {
      const reply = await exchange(
        p,
        `CONNECT mixed.example.com:${canary.port} HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}\r\n`,
      );
      expect(reply).toMatch(/^HTTP\/1\.1 403 /);
    } finally {
      await strict.close();
    }
  });

  it('refuses an absolute-form WebSocket upgrade to a refused address and relays an allowed one', async () => {
    const upgrade = (p: number) =>
      `GET http://127.0.0.1:${p}/socket HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n${auth(creds.username, creds.password)}` +
      `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    const refused = await exchange(port, upgrade(canary.port));
    expect(refused).toMatch(/^HTTP\/1\.1 403 /);
    const allowed = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let data = '';
      socket.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.includes('\r\n\r\n') && !data.includes('shop:')) socket.write('ping');
        if (data.includes('shop:ping')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
      socket.write(upgrade(shop.port));
    });
    expect(allowed).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('refuses every kind of request from a client it does not admit now (no check running)', async () => {
    const admitted = new Set<string>();
    const gated = new EgressProxy(
      new EgressGuard(new EgressAllowList([`127.0.0.1:${shop.port}`])),
      {
        admit: (client) => admitted.has(client),
      },
    );
    const p = await gated.start();
    const c = gated.credentials('slot-9');
    const target = `127.0.0.1:${shop.port}`;
    const requests = () => [
      `GET http://${target}/late-beacon HTTP/1.1\r\nHost: ${target}\r\n${auth(c.username, c.password)}Connection: close\r\n\r\n`,
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth(c.username, c.password)}\r\n`,
      `GET http://${target}/socket HTTP/1.1\r\nHost: ${target}\r\n${auth(c.username, c.password)}` +
        `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    ];
    try {
      const before = shop.connections;
      for (const request of requests()) {
        const reply = await exchange(p, request);
        expect(reply).toMatch(/^HTTP\/1\.1 403 /);
        expect(reply).toMatch(/proxy-status: pricewatch-egress; error=connection_refused/i);
      }
      expect(shop.connections).toBe(before);
      // The same client while admitted goes through.
      admitted.add('slot-9');
      const ok = await exchange(p, requests()[0]);
      expect(ok).toMatch(/^HTTP\/1\.1 200 /);
      expect(shop.connections).toBe(before + 1);
    } finally {
      await gated.close();
    }
  });

  // Every kind of request reaches upstream through the same resolve, judge, dial sequence; each
  // hostile destination is tried through each of them, with the same answer and the same report.
  describe.each(Object.keys(KINDS) as (keyof typeof KINDS)[])('through %s', (kind) => {
    const { request, reached } = KINDS[kind];
    const slug = kind.replace(/\W+/g, '-').toLowerCase();

    it('reaches an allowed destination', async () => {
      const reply = await exchange(port, request(`127.0.0.1:${shop.port}`, creds), reached);
      expect(reply).toMatch(reached);
    });

    it.each([
      ['the loopback canary', () => `127.0.0.1:${canary.port}`, '127.0.0.1'],
      ['localhost by name', () => `localhost:${canary.port}`, 'localhost'],
      ['IPv6 loopback', () => `[::1]:${canary.port}`, '::1'],
      ['the metadata service', () => '169.254.169.254:80', '169.254.169.254'],
      ['an IPv4-mapped loopback', () => `[::ffff:127.0.0.1]:${canary.port}`, '::ffff:7f00:1'],
      ['a decimal loopback', () => `2130706433:${canary.port}`, '127.0.0.1'],
    ])('refuses %s with 403 and reports it', async (_name, authority, host) => {
      const before = proxy.refused;
      refusals.length = 0;
      const reply = await exchange(port, request(authority(), creds));
      expect(reply).toMatch(/^HTTP\/1\.1 403 /);
      expect(reply).toMatch(/proxy-status: pricewatch-egress; error=destination_ip_prohibited/i);
      expect(reply).not.toContain('CANARY');
      expect(proxy.refused).toBe(before + 1);
      expect(refusals).toEqual([
        {
          client: 'slot-1',
          host,
          port: Number(authority().split(':').pop()),
          reason: expect.stringMatching(/\S/),
        },
      ]);
    });

    it('connects to the address it judged, so a rebinding answer cannot reach the canary', async () => {
      const name = `rebind-${slug}.example.com`;
      answers[name] = [PUBLIC_ADDRESS, '127.0.0.1'];
      resolverCalls.length = 0;
      const before = standIn.connections;
      const first = await exchange(port, request(`${name}:${canary.port}`, creds), reached);
      expect(first).toMatch(reached);
      expect(standIn.connections).toBe(before + 1);
      const second = await exchange(port, request(`${name}:${canary.port}`, creds));
      expect(second).toMatch(/^HTTP\/1\.1 403 /);
      expect(resolverCalls).toEqual([name, name]);
      expect(standIn.connections).toBe(before + 1);
    });

    it('refuses a name that does not resolve, reported as such', async () => {
      refusals.length = 0;
      const reply = await exchange(port, request(`nowhere-${slug}.example.com:443`, creds));
      expect(reply).toMatch(/^HTTP\/1\.1 403 /);
      expect(reply).toMatch(/proxy-status: pricewatch-egress; error=destination_ip_prohibited/i);
      expect(refusals).toEqual([
        {
          client: 'slot-1',
          host: `nowhere-${slug}.example.com`,
          port: 443,
          reason: 'host name not found',
        },
      ]);
    });

    it('answers 502, not a refusal, when an allowed destination is down', async () => {
      const name = `down-${slug}.example.com`;
      answers[name] = [DOWN_ADDRESS];
      const before = proxy.refused;
      const reply = await exchange(port, request(`${name}:8080`, creds));
      expect(reply).toMatch(/^HTTP\/1\.1 502 /);
      expect(proxy.refused).toBe(before);
    });

    it('challenges a client without the token and refuses a wrong one', async () => {
      const shopTarget = `127.0.0.1:${shop.port}`;
      const before = shop.connections;
      const none = await exchange(
        port,
        request(shopTarget, creds).replace(/Proxy-Authorization: [^\r]*\r\n/, ''),
      );
      expect(none).toMatch(/^HTTP\/1\.1 407 /);
      expect(none).toMatch(/proxy-authenticate: Basic realm="pricewatch-egress"/i);
      const wrong = await exchange(
        port,
        request(shopTarget, { username: 'slot-1', password: `${creds.password}x` }),
      );
      expect(wrong).toMatch(/^HTTP\/1\.1 407 /);
      expect(shop.connections).toBe(before);
    });
  });

  it.each([
    [
      'a CONNECT target without a port',
      (c: Creds) => `CONNECT 127.0.0.1 HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}\r\n`,
    ],
    [
      'a CONNECT target with port 0',
      (c: Creds) =>
        `CONNECT 127.0.0.1:0 HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}\r\n`,
    ],
    [
      'an https:// target in absolute form',
      (c: Creds) =>
        `GET https://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}Connection: close\r\n\r\n`,
    ],
    [
      'a ws:// target on a plain request',
      (c: Creds) =>
        `GET ws://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}Connection: close\r\n\r\n`,
    ],
    [
      'an ftp:// upgrade',
      (c: Creds) =>
        `GET ftp://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n${auth(c.username, c.password)}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    ],
  ])('answers 400 to %s', async (_name, request) => {
    const before = proxy.refused;
    const reply = await exchange(port, request(creds));
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(proxy.refused).toBe(before);
  });

  it('rejects a client name that could be confused with header syntax', () => {
    expect(() => proxy.credentials('a:b')).toThrow(RangeError);
  });
});
