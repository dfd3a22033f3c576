/**
 * Hostile pages against a real Chromium: one that never settles, one that opens a thousand
 * sockets, one that allocates until it runs out of memory, one that spins forever. Each render
 * ends by its deadline (or fails), the browser or the page is replaced when unhealthy, and a
 * normal check running beside it, and the next one, still succeed.
 */
import http from 'node:http';
import net from 'node:net';
import { EgressAllowList } from '@app/jobs-domain';
import { BrowserPool, EgressGuard, FetchError } from '../../apps/scraper-worker/src/fetching';
import { WorkerConfig } from '../../apps/scraper-worker/src/worker.config';

const executable = BrowserPool.findExecutable();
// As in browser.int-spec.ts: skipped without a browser on a developer's machine, never in CI.
const describeWithBrowser = executable || process.env.CI === 'true' ? describe : describe.skip;

const PAGE_TIMEOUT_MS = 10_000;

const GOOD = `<!doctype html><html><head><title>Good kettle</title></head><body><h1>Good kettle</h1>
<div id="price"></div><script>setTimeout(function () {
  document.getElementById('price').textContent = 'price-ok';
}, 50);</script></body></html>`;

const PAGES: Record<string, string> = {
  // Mutates the DOM every 20 ms and keeps a request open forever: it never settles.
  'never-settles': `<!doctype html><html><body><div id="t"></div><script>
    fetch('/hang').catch(function () {});
    setInterval(function () { document.getElementById('t').textContent = String(Date.now()); }, 20);
  </script></body></html>`,
  // A thousand WebSockets and a thousand fetches to the (allowed) shop.
  sockets: `<!doctype html><html><body><script>
    window.kept = [];
    for (var i = 0; i < 1000; i++) {
      try { window.kept.push(new WebSocket('ws://' + location.host + '/ws/' + i)); } catch (e) {}
      fetch('/hang?i=' + i).catch(function () {});
    }
  </script></body></html>`,
  // Allocates until the renderer dies.
  oom: `<!doctype html><html><body><script>
    var hoard = [];
    (function grow() { for (;;) { hoard.push(new Array(1e6).fill(hoard.length)); } })();
  </script></body></html>`,
  // Spins forever: the renderer's main thread never comes back.
  loop: `<!doctype html><html><body><script>for (;;) {}</script></body></html>`,
};

describeWithBrowser('BrowserPool against hostile pages', () => {
  let server: http.Server;
  let baseUrl: string;
  let pool: BrowserPool;
  const open = new Set<net.Socket>();
  let peakSockets = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const slug = (req.url ?? '').slice(1);
      if (slug === 'good') return res.writeHead(200, { 'content-type': 'text/html' }).end(GOOD);
      if (PAGES[slug]) return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGES[slug]);
      // /hang and /ws/*: accept and never answer.
    });
    server.on('upgrade', () => {});
    server.on('connection', (s: net.Socket) => {
      open.add(s);
      peakSockets = Math.max(peakSockets, open.size);
      s.on('close', () => open.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
    pool = new BrowserPool(new EgressGuard(new EgressAllowList([`127.0.0.1:${port}`])), {
      executablePath: executable,
      maxPages: 2,
      pageTimeoutMs: PAGE_TIMEOUT_MS,
      recycleAfterPages: 1_000,
      userAgent: new WorkerConfig().USER_AGENT,
      acceptLanguage: 'en-US',
    });
  });

  afterAll(async () => {
    await pool?.close();
    for (const s of open) s.destroy();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  const good = () =>
    pool.render(`${baseUrl}/good`, undefined, {
      isComplete: (html) => html.includes('price-ok'),
    });

  it.each(['never-settles', 'sockets', 'oom', 'loop'])(
    'ends a render of the %s page and keeps serving other checks',
    async (slug) => {
      const [bad, beside] = await Promise.all([
        pool.render(`${baseUrl}/${slug}`, undefined, { isComplete: () => false }).then(
          (page) => page,
          (err: unknown) => err,
        ),
        good(),
      ]);
      // The bad page either ended with what it had or failed as a fetch failure; it never hangs.
      if (bad instanceof Error) expect(bad).toBeInstanceOf(FetchError);
      else expect((bad as { status: number }).status).toBe(200);
      expect(beside.html).toContain('price-ok');
      expect(pool.status().inUse).toBe(0);
      // The next check still works, on a healthy page or a replaced browser.
      expect((await good()).html).toContain('price-ok');
    },
  );

  it('bounds the sockets a page can make the worker hold', () => {
    // The egress proxy caps each render's connections (64); a thousand never reached the shop.
    expect(peakSockets).toBeLessThanOrEqual(200);
  });
});
