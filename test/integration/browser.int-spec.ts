/**
 * The shared browser pool with a real Chromium against the fixture shop, on loopback only.
 * Needs Chromium/Chrome (Debian: apt-get install chromium, or PUPPETEER_EXECUTABLE_PATH).
 */
import { EgressAllowList } from '@app/jobs-domain';
import {
  BrowserPool,
  EgressGuard,
  FetchError,
  type BlockedRequest,
} from '../../apps/scraper-worker/src/fetching';
import { WorkerConfig } from '../../apps/scraper-worker/src/worker.config';
import { startFixtureShop, type FixtureShop } from '../fixtures/shop';

/** The worker's default (WorkerConfig.USER_AGENT). */
const DEFAULT_USER_AGENT = new WorkerConfig().USER_AGENT;

const executable = BrowserPool.findExecutable();

// Skipped, not failed, without a browser on a developer's machine: Puppeteer's own download is
// disabled in this repository (allowScripts), so a machine without a system Chromium cannot run
// these. CI installs Debian's chromium, so there they always run (and fail without it).
const describeWithBrowser = executable || process.env.CI === 'true' ? describe : describe.skip;

describeWithBrowser('BrowserPool with Chromium against the fixture shop', () => {
  let shop: FixtureShop;
  let pool: BrowserPool;
  const blocked: BlockedRequest[] = [];

  beforeAll(async () => {
    shop = await startFixtureShop();
    pool = new BrowserPool(new EgressGuard(new EgressAllowList([shop.hostPort])), {
      executablePath: executable,
      maxPages: 2,
      pageTimeoutMs: 15_000,
      recycleAfterPages: 100,
      userAgent: DEFAULT_USER_AGENT,
      acceptLanguage: 'en-US,en;q=0.9',
      onBlockedRequest: (b) => blocked.push(b),
    });
  });

  afterAll(async () => {
    await pool?.close();
    await shop?.close();
  });

  it('renders the JS-inserted price that the static HTML lacks', async () => {
    const page = await pool.render(`${shop.baseUrl}/p/js-rendered`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${shop.baseUrl}/p/js-rendered`);
    expect(page.html).toContain('"price":"249.00"');
    expect(page.html).toContain('$249.00');
    expect(shop.requests('/api/price/js-rendered')).toBe(1);
    // The shop saw the configured identity, not HeadlessChrome.
    expect(shop.lastHeaders('js-rendered')?.['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(shop.lastHeaders('js-rendered')?.['accept-language']).toBe('en-US,en;q=0.9');
    expect(pool.status()).toMatchObject({ available: true, launches: 1, inUse: 0 });
  });

  it('blocks sub-requests to disallowed addresses and heavy resource types', async () => {
    blocked.length = 0;
    const page = await pool.render(`${shop.baseUrl}/p/sneaky`);
    expect(page.html).toContain('$179.00');
    // Nothing reached the internal neighbour: not the script, the iframe, fetch() nor XHR.
    expect(shop.requests('internal')).toBe(0);
    const egress = blocked.filter((b) => b.reason === 'egress').map((b) => b.url);
    expect(egress).toEqual(
      expect.arrayContaining([
        `${shop.internalBaseUrl}/track.js`,
        `${shop.internalBaseUrl}/api/secret`,
        `${shop.internalBaseUrl}/api/xhr`,
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      ]),
    );
    // Images are never downloaded; same-origin fetch() still works.
    expect(shop.requests('/images/router.jpg')).toBe(0);
    expect(blocked.some((b) => b.resourceType === 'image' && b.reason === 'resource_type')).toBe(
      true,
    );
    expect(shop.requests('/api/ping')).toBe(1);
    expect(page.blockedRequests).toBeGreaterThanOrEqual(5);
  });

  it('refuses a navigation redirected to the metadata service', async () => {
    const err = await pool.render(`${shop.baseUrl}/p/redirect-metadata`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).kind).toBe('egress_blocked');
  });

  it('refuses a disallowed URL before opening a page', async () => {
    const err = await pool.render(`${shop.internalBaseUrl}/`).catch((e: unknown) => e);
    expect((err as FetchError).kind).toBe('egress_blocked');
    expect(shop.requests('internal')).toBe(0);
  });

  it('enforces the per-page deadline on a page that never finishes', async () => {
    const started = Date.now();
    const err = await pool.render(`${shop.baseUrl}/p/hang`).catch((e: unknown) => e);
    expect((err as FetchError).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(pool.status().inUse).toBe(0);
  });

  it('bounds concurrent pages by maxPages', async () => {
    const peak = { value: 0 };
    const timer = setInterval(() => {
      peak.value = Math.max(peak.value, pool.status().inUse);
    }, 5);
    try {
      const pages = await Promise.all(
        ['jsonld', 'microdata', 'opengraph', 'gbp'].map((s) =>
          pool.render(`${shop.baseUrl}/p/${s}`),
        ),
      );
      expect(pages.every((p) => p.status === 200)).toBe(true);
    } finally {
      clearInterval(timer);
    }
    expect(peak.value).toBeLessThanOrEqual(2);
  });

  it('relaunches after the browser process is killed', async () => {
    const pid = pool.status().pid;
    expect(pid).toBeDefined();
    const launches = pool.status().launches;
    process.kill(pid as number, 'SIGKILL');
    // Wait until the pool notices the disconnect.
    for (let i = 0; i < 100 && pool.status().pid === pid; i++)
      await new Promise((r) => setTimeout(r, 20));
    const page = await pool.render(`${shop.baseUrl}/p/jsonld`);
    expect(page.html).toContain('"price":"199.99"');
    expect(pool.status().launches).toBe(launches + 1);
    expect(pool.status().pid).not.toBe(pid);
  });
});

describeWithBrowser('BrowserPool recycling', () => {
  it('replaces the browser after recycleAfterPages pages and removes its profile', async () => {
    const shop = await startFixtureShop();
    const pool = new BrowserPool(new EgressGuard(new EgressAllowList([shop.hostPort])), {
      executablePath: executable,
      maxPages: 1,
      pageTimeoutMs: 15_000,
      recycleAfterPages: 2,
      userAgent: DEFAULT_USER_AGENT,
      acceptLanguage: 'en-US,en;q=0.9',
      settleQuietMs: 100,
    });
    try {
      for (let i = 0; i < 3; i++) await pool.render(`${shop.baseUrl}/p/jsonld`);
      expect(pool.status()).toMatchObject({ launches: 2, pagesServed: 3 });
    } finally {
      await pool.close();
      await shop.close();
    }
    expect(pool.status()).toMatchObject({ available: false, reason: 'browser pool is closed' });
  });
});

describe('BrowserPool without a browser', () => {
  it('reports itself unavailable and refuses to render', async () => {
    const pool = new BrowserPool(new EgressGuard(new EgressAllowList([])), {
      executablePath: null,
      maxPages: 1,
      pageTimeoutMs: 1_000,
      recycleAfterPages: 1,
      userAgent: DEFAULT_USER_AGENT,
      acceptLanguage: 'en-US',
    });
    expect(pool.status()).toMatchObject({ available: false, inUse: 0 });
    expect(pool.status().reason).toMatch(/no Chromium/);
    await expect(pool.render('https://shop.example.com/')).rejects.toThrow(/no Chromium/);
  });
});
