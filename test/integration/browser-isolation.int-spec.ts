/**
 * Warm pages are reused between checks: nothing one render leaves in the browser (cookies, local
 * and session storage, IndexedDB, Cache Storage, service workers, HTTP cache, popups) may be seen
 * by the next render on the same page. One page, so every render lands on the same warm slot.
 */
import http from 'node:http';
import net from 'node:net';
import { EgressAllowList } from '@app/jobs-domain';
import { BrowserPool, EgressGuard } from '../../apps/scraper-worker/src/fetching';
import { WorkerConfig } from '../../apps/scraper-worker/src/worker.config';

const executable = BrowserPool.findExecutable();
// As in browser.int-spec.ts: skipped without a browser on a developer's machine, never in CI.
const describeWithBrowser = executable || process.env.CI === 'true' ? describe : describe.skip;

/** Writes state of every kind, then says so in the DOM. */
const WRITER = `<!doctype html><html><head><title>writer</title></head><body><pre id="out"></pre><script>
(async function () {
  var out = document.getElementById('out');
  document.cookie = 'job=secret-a; max-age=3600; path=/';
  out.textContent = 'cookie;';
  localStorage.setItem('job', 'secret-a');
  out.textContent += 'ls;';
  sessionStorage.setItem('job', 'secret-a');
  await new Promise(function (resolve) {
    var req = indexedDB.open('jobs', 1);
    req.onupgradeneeded = function () { req.result.createObjectStore('s'); };
    req.onsuccess = function () {
      var tx = req.result.transaction('s', 'readwrite');
      tx.objectStore('s').put('secret-a', 'job');
      tx.oncomplete = resolve;
      tx.onerror = resolve;
    };
    req.onerror = resolve;
  });
  out.textContent += 'idb;';
  try { var c = await caches.open('jobs'); await c.put('/cached', new Response('secret-a')); } catch (e) {}
  // Not awaited: the worker's fetch of its script has no proxy credentials and may never finish.
  navigator.serviceWorker.register('/sw.js').catch(function () {});
  window.name = 'secret-a';
  out.textContent = 'written';
})();
</script></body></html>`;

/** Reports every kind of state it can see. */
const READER = `<!doctype html><html><head><title>reader</title></head><body><pre id="out"></pre><script>
(async function () {
  var seen = [];
  if (document.cookie.indexOf('secret-a') >= 0) seen.push('cookie');
  if (localStorage.getItem('job')) seen.push('localStorage');
  if (sessionStorage.getItem('job')) seen.push('sessionStorage');
  if (window.name) seen.push('window.name');
  // A fresh page has about:blank and this document.
  if (history.length > 2) seen.push('history');
  var dbs = indexedDB.databases ? await indexedDB.databases() : [];
  if (dbs.some(function (d) { return d.name === 'jobs'; })) seen.push('indexedDB');
  try { if ((await caches.keys()).indexOf('jobs') >= 0) seen.push('cacheStorage'); } catch (e) {}
  try { if ((await navigator.serviceWorker.getRegistrations()).length > 0) seen.push('serviceWorker'); } catch (e) {}
  var cached = await fetch('/counter', { cache: 'force-cache' }).then(function (r) { return r.text(); });
  document.getElementById('out').textContent = 'seen:' + seen.join(',') + ';counter:' + cached;
})();
</script></body></html>`;

describeWithBrowser('Warm pages share no state between renders', () => {
  let server: http.Server;
  let baseUrl: string;
  let pool: BrowserPool;
  const cookiesSeen: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.headers.cookie) cookiesSeen.push(`${req.url} ${req.headers.cookie}`);
      if (req.url === '/writer')
        return res.writeHead(200, { 'content-type': 'text/html' }).end(WRITER);
      if (req.url === '/reader')
        return res.writeHead(200, { 'content-type': 'text/html' }).end(READER);
      if (req.url === '/sw.js')
        return res
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end('self.onfetch = function () {};');
      if (req.url === '/counter') {
        // Cacheable for an hour: a second render reading it from the HTTP cache would see "1".
        counter++;
        return res
          .writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=3600' })
          .end(String(counter));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
    pool = new BrowserPool(new EgressGuard(new EgressAllowList([`127.0.0.1:${port}`])), {
      executablePath: executable,
      maxPages: 1,
      pageTimeoutMs: 20_000,
      recycleAfterPages: 100,
      rendersPerPage: 100,
      userAgent: new WorkerConfig().USER_AGENT,
      acceptLanguage: 'en-US',
      // Generous: each render ends as soon as its page says it is done (isComplete).
      settleQuietMs: 5_000,
      maxSettleMs: 15_000,
    });
  });

  afterAll(async () => {
    await pool?.close();
    await new Promise<void>((r) => {
      server?.closeAllConnections();
      server?.close(() => r());
    });
  });

  it('reads nothing the previous render wrote, on the same warm page', async () => {
    const read = (html: string) => /<pre id="out">([^<]*)<\/pre>/.exec(html)?.[1] ?? '';
    const reader = () =>
      pool.render(`${baseUrl}/reader`, undefined, {
        isComplete: (html) => html.includes('<pre id="out">seen:'),
      });
    // The reader first: it fills the HTTP cache with counter 1 and proves the probes work.
    expect(read((await reader()).html)).toBe('seen:;counter:1');
    expect(
      read(
        (
          await pool.render(`${baseUrl}/writer`, undefined, {
            isComplete: (html) => html.includes('<pre id="out">written'),
          })
        ).html,
      ),
    ).toBe('written');
    // The writer's own requests carry its cookie; none of the next render's may.
    cookiesSeen.length = 0;
    const after = read((await reader()).html);
    // The counter came from the shop again (2), not from the last render's cache (1).
    expect(after).toBe('seen:;counter:2');
    expect(cookiesSeen).toEqual([]);
    // One slot served all three: the state was reset, not a fresh context each time.
    expect(pool.status()).toMatchObject({ launches: 1, pagesServed: 3 });
  });
});
