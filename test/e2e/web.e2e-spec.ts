/// <reference lib="dom" />
/**
 * The web app in a real Chromium, driven the way a person uses it, by accessible names and labels:
 * sign up → track a product on the fixture shop → the first check lands → the chart shows it →
 * pause → delete. The gateway and the worker run as their built bundles (as `npm start` runs
 * them) against the suite's PostgreSQL, dynalite and SQS, with a queue of this test's own. Any
 * console error, page error, CSP violation or failed request in the browser fails the test, and
 * so does any HTTP error response the step did not provoke on purpose (the signed-out session
 * probe's 401, the invalid price's 400): Chromium logs those as "Failed to load resource".
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer';
import { BrowserPool } from '../../apps/scraper-worker/src/fetching';
import { findFreePorts, LOCAL_AWS_CREDENTIALS, provision } from '../../tools/local-stack/services';
import { FixtureShop, startFixtureShop } from '../fixtures/shop';
import { eventually, uniqueEmail } from '../support/apps';
import { AppProcess, ensureBuilt } from '../support/processes';

const executable = BrowserPool.findExecutable();
// As in browser.int-spec: skipped only on a developer machine without Chromium, never in CI.
const describeWithBrowser = executable || process.env.CI === 'true' ? describe : describe.skip;

describeWithBrowser('the web app in Chromium', () => {
  let shop: FixtureShop;
  let gateway: AppProcess;
  let worker: AppProcess;
  let browser: Browser;
  let base: string;
  const problems: string[] = [];
  /** A user's webhook endpoint (Slack/Discord stand-in): /ok accepts, /fail answers 500. */
  let hook: http.Server;
  let hookBase: string;
  const hooked: { path: string; body: { pricewatch?: { test?: boolean } } }[] = [];

  const ready = async (app: AppProcess, port: number) => {
    try {
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok ? true : undefined),
        90_000,
        `${app.app} to be ready`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${app.app}:\n${app.logs().slice(-3000)}`);
    }
  };

  beforeAll(async () => {
    await ensureBuilt(['gateway', 'scraper-worker']);
    shop = await startFixtureShop();
    hook = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        hooked.push({ path: req.url ?? '', body: JSON.parse(data || '{}') });
        res.writeHead(req.url === '/ok' ? 204 : 500).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    const [gatewayPort, workerPort] = await findFreePorts(2);
    const queueName = `web-${randomBytes(4).toString('hex')}`;
    const { queueUrl } = await provision({
      region: 'us-east-1',
      sqsEndpoint: process.env.AWS_ENDPOINT_URL_SQS!,
      dynamoEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
      tableName: process.env.JOBS_TABLE_NAME!,
      queueName,
      dlqName: `${queueName}-dlq`,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.DATABASE_URL,
      JWT_SECRET: process.env.JWT_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_SQS,
      JOBS_TABLE_NAME: process.env.JOBS_TABLE_NAME,
      CHECKS_QUEUE_URL: queueUrl,
      EGRESS_ALLOW_HOSTS: `${shop.hostPort},${new URL(hookBase).host}`,
      SQS_WAIT_TIME_SECONDS: '1',
      BROWSER_ENABLED: 'false',
      // Load shedding by event-loop lag is off: on a shared CI machine other processes can stall
      // this one for a second, and a shed poll is not what this test is about (its own spec is).
      SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      SHED_MAX_QUEUE_TIME_MS: '0',
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_TIME_COST: '1',
    };
    expect(await new AppProcess('gateway', env, ['migrate']).run()).toBe(0);
    gateway = new AppProcess('gateway', { ...env, PORT: String(gatewayPort) }).start();
    worker = new AppProcess('scraper-worker', { ...env, PORT: String(workerPort) }).start();
    await Promise.all([ready(gateway, gatewayPort), ready(worker, workerPort)]);
    base = `http://127.0.0.1:${gatewayPort}`;
    browser = await puppeteer.launch({
      executablePath: executable ?? undefined,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([gateway?.stop(), worker?.stop()]);
    await shop?.close();
    await new Promise((r) => hook?.close(r));
  });

  beforeEach(() => {
    problems.length = 0;
  });

  /** HTTP errors a step provokes on purpose, as "<status> <METHOD> <path>". */
  const expectedErrors = new Set<string>(['401 GET /api/v1/me']);

  /** A page in a fresh profile that records every console error, uncaught error and failed request. */
  async function openPage(width = 1280, height = 900): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width, height });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // HTTP errors are judged one by one below, by their response.
      if (msg.text().startsWith('Failed to load resource: the server responded')) return;
      problems.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() < 400) return;
      const key = `${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`;
      if (!expectedErrors.has(key)) problems.push(`http: ${key}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${String(err)}`));
    page.on('requestfailed', (req) => {
      // The app aborts the polls of a view it leaves; anything else failing is a problem.
      if (req.failure()?.errorText !== 'net::ERR_ABORTED')
        problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
    });
    return page;
  }

  const byName = (page: Page | ElementHandle, role: string, name: string) =>
    page.waitForSelector(`::-p-aria([name="${name}"][role="${role}"])`, { timeout: 20_000 });

  async function fill(page: Page, label: string, value: string): Promise<void> {
    const input = await byName(page, 'textbox', label);
    await input!.click({ count: 3 });
    await input!.type(value);
  }

  /**
   * WCAG 2.2 AA contrast as Chromium renders the page, in the light and the dark scheme: every
   * visible text (HTML by `color`, SVG by `fill`) against the background it sits on (the nearest
   * ancestor's opaque colour, translucent ones composited), 4.5:1, or 3:1 for large text (24 px,
   * or 18.66 px bold). Disabled controls are exempt (SC 1.4.3). Returns what fails, as text.
   */
  async function lowContrast(page: Page): Promise<string[]> {
    const failures: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      const found = await page.evaluate(() => {
        type Rgba = [number, number, number, number];
        const parse = (c: string): Rgba | null => {
          const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
          return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
        };
        const over = (top: Rgba, under: Rgba): Rgba => [
          top[0] * top[3] + under[0] * (1 - top[3]),
          top[1] * top[3] + under[1] * (1 - top[3]),
          top[2] * top[3] + under[2] * (1 - top[3]),
          1,
        ];
        const lum = ([r, g, b]: Rgba) =>
          [r, g, b]
            .map((v) => v / 255)
            .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        /** The colour behind `el`: its own and its ancestors' backgrounds, composited. */
        const behind = (el: Element): Rgba => {
          const layers: Rgba[] = [];
          for (let e: Element | null = el; e; e = e.parentElement) {
            const bg = parse(getComputedStyle(e).backgroundColor);
            if (bg && bg[3] > 0) {
              layers.push(bg);
              if (bg[3] >= 1) break;
            }
          }
          let colour: Rgba = [255, 255, 255, 1]; // the canvas under everything
          for (const layer of layers.reverse()) colour = over(layer, colour);
          return colour;
        };
        const out: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || !n.textContent?.trim()) continue;
          if (el.closest(':disabled, .sr-only, [aria-hidden="true"], script, style')) continue;
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          if (style.visibility !== 'visible' || box.width === 0 || box.height === 0) continue;
          const svg = el instanceof SVGElement;
          const fg = parse(svg ? style.fill : style.color);
          if (!fg) continue;
          const bg = behind(el);
          const front = over([fg[0], fg[1], fg[2], fg[3] * Number(style.opacity)], bg);
          const [hi, lo] = [lum(front), lum(bg)].sort((a, b) => b - a);
          const ratio = (hi + 0.05) / (lo + 0.05);
          const size = parseFloat(style.fontSize);
          const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
          if (ratio < (large ? 3 : 4.5))
            out.push(`"${n.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1`);
        }
        return out;
      });
      failures.push(...found.map((f) => `${scheme}: ${f}`));
    }
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    return failures;
  }

  /** Waits for text somewhere in <main>. */
  const mainText = (page: Page, text: string, timeout = 30_000) =>
    page.waitForFunction(
      (t) => document.querySelector('main')?.textContent?.includes(t) ?? false,
      { timeout, polling: 100 },
      text,
    );

  it('signs up, tracks a product, shows its first check on the chart, pauses and deletes it', async () => {
    shop.setPrice('dynamic:web', '249.50');
    const page = await openPage();
    await page.goto(`${base}/`, { waitUntil: 'load' });

    // Sign up (the app signs in right after).
    await (await byName(page, 'link', 'Create an account'))!.click();
    await byName(page, 'button', 'Sign up');
    await fill(page, 'Email', uniqueEmail('web'));
    await fill(page, 'Password', 'long enough pw');
    await (await byName(page, 'button', 'Sign up'))!.click();
    await byName(page, 'heading', 'Products');
    expect(await page.$('.boot')).toBeNull(); // the static "Loading…" line is replaced
    // The session is the HttpOnly cookie: nothing readable by scripts holds a token.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);

    // A bad target price comes back from the API and is shown next to its field.
    await fill(page, 'Product URL', `${shop.baseUrl}/p/dynamic?sku=web`);
    await fill(page, 'Target price', '12,50');
    expectedErrors.add('400 POST /api/v1/jobs');
    await (await byName(page, 'button', 'Track'))!.click();
    const fieldError = await page.waitForSelector('#add-target-error', { timeout: 10_000 });
    expectedErrors.delete('400 POST /api/v1/jobs');
    expect(await fieldError!.evaluate((e) => e.textContent)).toMatch(/decimal/i);
    expect(await page.$eval('#add-target', (e) => e.getAttribute('aria-describedby'))).toContain(
      'add-target-error',
    );

    // Track it for real.
    await fill(page, 'Target price', '199.99');
    await (await byName(page, 'button', 'Track'))!.click();
    // The first check lands without a reload (the list polls).
    await mainText(page, '$249.50');
    await mainText(page, 'Watching');
    await mainText(page, 'In stock');
    expect(await page.$eval('main', (m) => m.textContent)).toContain('$199.99');
    expect(await lowContrast(page)).toEqual([]);

    // The product page: the chart shows the check, as an image named "Price history …".
    await (await page.waitForSelector('.products h3 a'))!.click();
    const chart = await page.waitForSelector('svg[role="img"]', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('.chart circle.point').length >= 1, {
      timeout: 20_000,
      polling: 100,
    });
    // As assistive technology sees it: an image whose name starts "Price history".
    const node = await page.accessibility.snapshot({ root: chart!, interestingOnly: false });
    expect(node?.role).toBe('image');
    const name = node?.name ?? '';
    expect(name).toMatch(/^Price history of /);
    expect(name).toContain('latest $249.50');
    expect(name).toContain('target $199.99');
    // The data table fallback carries the same check.
    const rows = await page.$$eval('table.checks tbody tr', (trs) =>
      trs.map((tr) => tr.textContent ?? ''),
    );
    expect(rows.some((r) => r.includes('Price found') && r.includes('$249.50'))).toBe(true);
    // Keyboard: Tab reaches the chart; the arrow keys read the points out.
    let tabs = 0;
    while (!(await chart!.evaluate((c) => c === document.activeElement))) {
      expect(++tabs).toBeLessThan(40);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Home');
    await page.waitForFunction(
      () => document.querySelector('.chart [aria-live]')?.textContent?.includes('$249.50'),
      { timeout: 5_000, polling: 100 },
    );
    expect(await page.$eval('.chart .tooltip', (t) => t.textContent)).toContain('$249.50');
    // The product page with its chart, table and tooltip shown, in both schemes.
    expect(await lowContrast(page)).toEqual([]);
    // On a 360 px phone the product page (chart and checks table) fits without sideways scrolling.
    await page.setViewport({ width: 360, height: 740 });
    await page.waitForFunction(
      () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
      { timeout: 5_000, polling: 100 },
    );
    await page.setViewport({ width: 1280, height: 900 });

    // Pause.
    await (await byName(page, 'button', 'Pause'))!.click();
    await byName(page, 'button', 'Resume');
    await mainText(page, 'Paused');

    // Delete, with confirmation.
    await (await byName(page, 'button', 'Delete'))!.click();
    const dialog = await page.waitForSelector('dialog[open]');
    expect(await dialog!.evaluate((d) => d.textContent)).toContain('Delete this product?');
    await (await dialog!.waitForSelector('::-p-aria([name="Delete"][role="button"])'))!.click();
    await byName(page, 'heading', 'Products');
    await mainText(page, 'Nothing tracked yet');

    // Sign out returns to the sign-in form, and the session is gone server-side too.
    await (await byName(page, 'button', 'Sign out'))!.click();
    await byName(page, 'button', 'Sign in');
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(status).toBe(401);
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('sends a webhook test from the settings and says whether it was sent', async () => {
    const page = await openPage();
    await page.goto(`${base}/#/signup`, { waitUntil: 'load' });
    await fill(page, 'Email', uniqueEmail('webhook'));
    await fill(page, 'Password', 'long enough pw');
    await (await byName(page, 'button', 'Sign up'))!.click();
    await byName(page, 'heading', 'Products');
    await (await byName(page, 'link', 'Settings'))!.click();
    await byName(page, 'heading', 'Settings');
    // No webhook saved yet: nothing to test.
    const sendTest = await byName(page, 'button', 'Send test');
    expect(await sendTest!.evaluate((b) => (b as HTMLButtonElement).disabled)).toBe(true);

    await fill(page, 'Webhook URL', `${hookBase}/ok`);
    await (await byName(page, 'button', 'Save'))!.click();
    await mainText(page, 'Webhook saved.');
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('button')).some(
          (b) => b.textContent === 'Send test' && !b.disabled,
        ),
      { timeout: 10_000, polling: 100 },
    );
    await (await byName(page, 'button', 'Send test'))!.click();
    // The worker POSTs it; the page polls until it is recorded.
    await mainText(page, 'Test sent: your webhook accepted it (HTTP 204).');
    expect(hooked.filter((h) => h.path === '/ok' && h.body.pricewatch?.test === true)).toHaveLength(
      1,
    );

    // A webhook that answers 500: the page says so, with the reason.
    await fill(page, 'Webhook URL', `${hookBase}/fail`);
    await (await byName(page, 'button', 'Save'))!.click();
    await page.waitForFunction(
      () => !document.querySelector('main')?.textContent?.includes('Test sent'),
      { timeout: 10_000, polling: 100 },
    );
    await (await byName(page, 'button', 'Send test'))!.click();
    await mainText(page, 'Test failed: the webhook answered HTTP 500.');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it('serves the app with a strict CSP, and Swagger UI still works under its own', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle=/);

    // The API keeps its JSON 404 for unknown paths; the app's files are the only static routes.
    const missing = await fetch(`${base}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('json');
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);

    const page = await openPage();
    await page.goto(`${base}/docs`, { waitUntil: 'load' });
    await page.waitForSelector('.swagger-ui .opblock', { timeout: 20_000 });
    const docsCsp = (await fetch(`${base}/docs`)).headers.get('content-security-policy') ?? '';
    expect(docsCsp).toContain("frame-ancestors 'none'");
    expect(docsCsp).not.toContain('unsafe-eval');
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('works at 360 px wide with the keyboard alone', async () => {
    const page = await openPage(360, 740);
    await page.goto(`${base}/#/signup`, { waitUntil: 'load' });
    await byName(page, 'button', 'Sign up');
    // Tab order: Email, Password, Sign up.
    await page.keyboard.press('Tab');
    await page.keyboard.type(uniqueEmail('narrow'));
    await page.keyboard.press('Tab');
    await page.keyboard.type('long enough pw');
    await page.keyboard.press('Enter');
    await byName(page, 'heading', 'Products');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
