/**
 * `npm run bench:web`: how fast the web app's first page renders on the local stack, and what it
 * costs to load. Starts the local stack (tools/local-stack) on free ports with three tracked
 * products, then opens the app in fresh Chromium profiles (empty cache) and times, per run:
 *   - first contentful paint (the browser's own paint timing),
 *   - first render: navigation start until the signed-in product list shows its products,
 *   - JavaScript and CSS bytes over the wire (gzip, as the gateway's clients receive them only
 *     when a proxy compresses; the gateway itself sends them uncompressed, so both are printed).
 * Prints median and worst of RUNS (default 10) cold loads, and the same warm (cache primed).
 */
import { gzipSync } from 'node:zlib';
import puppeteer from 'puppeteer';
import { BrowserPool } from '../apps/scraper-worker/src/fetching';
import { startLocalStack } from '../tools/web/local-stack-run';

const RUNS = Number(process.env.RUNS ?? 10);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, worst ${s[s.length - 1].toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const stack = await startLocalStack();
  const browser = await puppeteer.launch({
    executablePath: BrowserPool.findExecutable() ?? undefined,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  try {
    const base = stack.baseUrl;
    const json = { 'content-type': 'application/json', origin: base };
    const creds = { email: `bench-${Date.now()}@example.com`, password: 'long enough pw' };
    await fetch(`${base}/api/v1/signup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(creds),
    });
    const signin = await fetch(`${base}/api/v1/signin`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(creds),
    });
    const cookie = signin.headers.getSetCookie()[0].split(';')[0];
    const [name, value] = [
      cookie.slice(0, cookie.indexOf('=')),
      cookie.slice(cookie.indexOf('=') + 1),
    ];
    for (const slug of ['jsonld', 'microdata', 'gbp']) {
      await fetch(`${base}/api/v1/jobs`, {
        method: 'POST',
        headers: { ...json, cookie },
        body: JSON.stringify({
          url: `${stack.shop.baseUrl}/p/${slug}`,
          targetPrice: '10.00',
          currency: slug === 'gbp' ? 'GBP' : 'USD',
        }),
      });
    }

    const html = await (await fetch(`${base}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    for (const a of assets) {
      const body = Buffer.from(await (await fetch(`${base}${a}`)).arrayBuffer());
      process.stdout.write(
        `${a}: ${body.length} bytes, ${gzipSync(body, { level: 9 }).length} bytes gzip\n`,
      );
    }

    const measure = async (warm: boolean) => {
      const fcp: number[] = [];
      const render: number[] = [];
      const context = await browser.createBrowserContext();
      await context.setCookie({ name, value, domain: '127.0.0.1', path: '/', httpOnly: true });
      for (let i = 0; i < RUNS; i++) {
        const page = await context.newPage();
        if (!warm) await page.setCacheEnabled(false);
        await page.goto(`${base}/`, { waitUntil: 'load' });
        await page.waitForFunction(() => document.querySelectorAll('.products li').length >= 3, {
          polling: 'raf',
          timeout: 30_000,
        });
        const t = await page.evaluate(() => ({
          render: performance.now(),
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        }));
        fcp.push(t.fcp);
        render.push(t.render);
        await page.close();
      }
      await context.close();
      process.stdout.write(
        `${warm ? 'warm' : 'cold'} (${RUNS} runs): first contentful paint ${stats(fcp)}; ` +
          `product list rendered ${stats(render)}\n`,
      );
    };
    await measure(false);
    await measure(true);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
