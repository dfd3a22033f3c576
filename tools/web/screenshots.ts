/**
 * `npm run screenshots`: pictures of the web app for the README, taken from the running local
 * stack (tools/local-stack, started here on free ports in a throw-away data dir) with products
 * on the fixture shop and a few minutes' worth of price history made in seconds: the product
 * list and a product page, on a desktop and on a 360 px phone, plus the product page in the dark
 * scheme. Written to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Page } from 'puppeteer';
import { BrowserPool } from '../../apps/scraper-worker/src/fetching';
import { startLocalStack } from './local-stack-run';

const OUT = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

async function api(page: Page, method: string, url: string, body?: unknown): Promise<unknown> {
  return page.evaluate(
    async (m, u, b) => {
      const res = await fetch(u, {
        method: m,
        headers: { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      if (!res.ok) throw new Error(`${m} ${u}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? undefined : res.json();
    },
    method,
    url,
    body,
  );
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  process.stdout.write('starting the local stack (builds what is stale)…\n');
  const stack = await startLocalStack();
  const { shop, baseUrl } = stack;
  const browser = await puppeteer.launch({
    executablePath: BrowserPool.findExecutable() ?? undefined,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${baseUrl}/#/signup`, { waitUntil: 'load' });
    await page.waitForSelector('#auth-email');
    await page.type('#auth-email', 'ada@example.com');
    await page.type('#auth-password', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForSelector('#add-url');

    // The espresso machine's price falls step by step: a history worth a chart.
    const prices = ['799.00', '789.00', '789.00', '769.99', '749.00', '759.00', '729.00', '719.50'];
    shop.setPrice('dynamic:e9', prices[0]);
    const e9 = (await api(page, 'POST', '/api/v1/jobs', {
      url: `${shop.baseUrl}/p/dynamic?sku=e9`,
      targetPrice: '699.00',
      currency: 'USD',
      checkIntervalMinutes: 0.05,
    })) as { id: string };
    for (const [url, targetPrice, currency] of [
      [`${shop.baseUrl}/p/jsonld`, '249.00', 'USD'],
      [`${shop.baseUrl}/p/gbp`, '60.00', 'GBP'],
      [`${shop.baseUrl}/p/out-of-stock`, '50.00', 'USD'],
      [`${shop.baseUrl}/p/captcha`, '10.00', 'USD'],
    ]) {
      await api(page, 'POST', '/api/v1/jobs', {
        url,
        targetPrice,
        currency,
        checkIntervalMinutes: 1440,
      });
    }
    const points = async () =>
      ((await api(page, 'GET', `/api/v1/jobs/${e9.id}/history?limit=100`)) as { points: unknown[] })
        .points.length;
    for (let i = 1; i < prices.length; i++) {
      await until(async () => (await points()) >= i, 60_000, `check ${i}`);
      shop.setPrice('dynamic:e9', prices[i]);
    }
    await until(async () => (await points()) >= prices.length, 60_000, 'the last check');
    // Stop checking so the pictures hold still.
    await api(page, 'PATCH', `/api/v1/jobs/${e9.id}`, { checkIntervalMinutes: 1440 });

    const shots: [string, number, number, string, 'light' | 'dark'][] = [
      ['list-desktop.png', 1280, 900, '#/', 'light'],
      ['product-desktop.png', 1280, 900, `#/products/${e9.id}`, 'light'],
      ['product-desktop-dark.png', 1280, 900, `#/products/${e9.id}`, 'dark'],
      ['list-phone.png', 360, 780, '#/', 'light'],
      ['product-phone.png', 360, 780, `#/products/${e9.id}`, 'light'],
    ];
    for (const [file, width, height, hash, scheme] of shots) {
      await page.setViewport({ width, height, deviceScaleFactor: width < 500 ? 2 : 1 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(`${baseUrl}/${hash}`, { waitUntil: 'load' });
      await page.waitForFunction(
        (product) =>
          product
            ? document.querySelectorAll('.chart circle.point').length > 3
            : document.querySelectorAll('.products li').length >= 5,
        { timeout: 30_000 },
        hash.includes('products/'),
      );
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(OUT, file), fullPage: true });
      process.stdout.write(`docs/screenshots/${file}\n`);
    }
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
