import { existsSync, readdirSync, statSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, HTTPRequest, Page } from 'puppeteer';
import { EgressBlockedError, EgressGuard } from './egress-guard';
import { FetchError } from './http-fetcher';

export interface RenderedPage {
  status: number;
  url: string;
  html: string;
  elapsedMs: number;
  /** Sub-requests refused by the egress guard or the resource/tracker filter. */
  blockedRequests: number;
}

export interface BrowserPoolStatus {
  available: boolean;
  reason?: string;
  executablePath?: string;
  inUse: number;
  maxPages: number;
  launches: number;
  pagesServed: number;
  /** Renders waiting for a page slot. */
  waiting: number;
  /** Process id of the current browser, when one is running. */
  pid?: number;
  /** Why the last launch failed, if it did. */
  lastLaunchError?: string;
}

export interface BlockedRequest {
  url: string;
  resourceType: string;
  reason: 'resource_type' | 'tracker' | 'egress';
}

export interface BrowserPoolOptions {
  executablePath?: string | null;
  maxPages: number;
  /** Hard deadline of one render, from opening the page to having its HTML. */
  pageTimeoutMs: number;
  /** Pages served by one browser process before it is replaced (memory creep, leaked state). */
  recycleAfterPages: number;
  userAgent: string;
  acceptLanguage: string;
  /** Longest wait for a free page slot; defaults to pageTimeoutMs. */
  queueTimeoutMs?: number;
  launchTimeoutMs?: number;
  /** After load: quiet network and DOM for this long means scripts are done. */
  settleQuietMs?: number;
  /** Cap on the settle wait after load. */
  maxSettleMs?: number;
  maxHtmlBytes?: number;
  onBlockedRequest?: (blocked: BlockedRequest) => void;
  /**
   * Run Chromium without its own sandbox. Its sandbox needs user namespaces or a setuid helper,
   * which a hardened pod (non-root, no privilege escalation, RuntimeDefault seccomp) does not
   * give; there the container is the sandbox. Always on as root, where Chromium refuses it.
   */
  noSandbox?: boolean;
}

export interface RenderOptions {
  /** Stop waiting as soon as this selector exists (e.g. a site profile's price element). */
  waitForSelector?: string;
}

/** No browser to render with (none installed, failed to start, or the pool is closed). */
export class BrowserUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserUnavailableError';
  }
}

// Prices live in the DOM and scripts; everything heavy or decorative is skipped.
const BLOCKED_TYPES = new Set([
  'image',
  'font',
  'media',
  'stylesheet',
  'ping',
  'manifest',
  'texttrack',
  'prefetch',
  'cspviolationreport',
]);

const TRACKER_DOMAINS = [
  'google-analytics.com',
  'googletagmanager.com',
  'googlesyndication.com',
  'googleadservices.com',
  'doubleclick.net',
  'facebook.net',
  'hotjar.com',
  'hotjar.io',
  'clarity.ms',
  'bat.bing.com',
  'segment.io',
  'mixpanel.com',
  'criteo.com',
  'criteo.net',
  'taboola.com',
  'outbrain.com',
  'scorecardresearch.com',
  'quantserve.com',
  'amazon-adsystem.com',
  'nr-data.net',
  'fullstory.com',
];

export function isTrackerHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return TRACKER_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function isExecutableFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Puppeteer's own download (~/.cache/puppeteer/<browser>/<build>/...), newest build first. */
function puppeteerDownloadedBrowser(env: NodeJS.ProcessEnv): string | null {
  const cacheDir = env.PUPPETEER_CACHE_DIR || path.join(os.homedir(), '.cache', 'puppeteer');
  const layouts: [string, string][] = [
    ['chrome', 'chrome-linux64/chrome'],
    ['chrome-headless-shell', 'chrome-headless-shell-linux64/chrome-headless-shell'],
  ];
  for (const [browser, relative] of layouts) {
    const dir = path.join(cacheDir, browser);
    if (!existsSync(dir)) continue;
    const builds = readdirSync(dir).sort().reverse();
    for (const build of builds) {
      const candidate = path.join(dir, build, relative);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

interface Generation {
  browser: Browser;
  userDataDir: string;
  pid?: number;
  served: number;
  active: number;
  retiring: boolean;
  dead: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

function noop(): void {}

/**
 * One lazily launched Chromium shared by the worker, with at most maxPages renders at a time.
 * Each render gets its own browser context (no cookies shared between shops or jobs), and every
 * request it makes, redirects and scripts included, goes through the egress guard.
 */
export class BrowserPool {
  private readonly executablePath: string | null;
  private readonly opts: Required<Omit<BrowserPoolOptions, 'executablePath' | 'onBlockedRequest'>>;
  private current: Generation | null = null;
  private launching: Promise<Generation> | null = null;
  private readonly generations = new Set<Generation>();
  private readonly waiters: Waiter[] = [];
  private inUse = 0;
  private launches = 0;
  private pagesServed = 0;
  private lastLaunchError?: string;
  private closed = false;

  constructor(
    private readonly guard: EgressGuard,
    private readonly options: BrowserPoolOptions,
  ) {
    this.executablePath =
      options.executablePath === undefined ? BrowserPool.findExecutable() : options.executablePath;
    this.opts = {
      maxPages: Math.max(1, options.maxPages),
      pageTimeoutMs: options.pageTimeoutMs,
      recycleAfterPages: Math.max(1, options.recycleAfterPages),
      userAgent: options.userAgent,
      acceptLanguage: options.acceptLanguage,
      queueTimeoutMs: options.queueTimeoutMs ?? options.pageTimeoutMs,
      launchTimeoutMs: options.launchTimeoutMs ?? 30_000,
      settleQuietMs: options.settleQuietMs ?? 500,
      maxSettleMs: options.maxSettleMs ?? 5_000,
      maxHtmlBytes: options.maxHtmlBytes ?? 5 * 1024 * 1024,
      noSandbox: options.noSandbox ?? false,
    };
  }

  static findExecutable(env: NodeJS.ProcessEnv = process.env): string | null {
    const configured = env.PUPPETEER_EXECUTABLE_PATH;
    if (configured && isExecutableFile(configured)) return configured;
    const system = SYSTEM_BROWSERS.find(isExecutableFile);
    if (system) return system;
    try {
      return puppeteerDownloadedBrowser(env);
    } catch {
      return null;
    }
  }

  status(): BrowserPoolStatus {
    const live = this.current && !this.current.dead ? this.current : null;
    return {
      available: !this.closed && this.executablePath !== null,
      ...(this.closed
        ? { reason: 'browser pool is closed' }
        : this.executablePath === null
          ? { reason: 'no Chromium/Chrome executable found (set PUPPETEER_EXECUTABLE_PATH)' }
          : {}),
      ...(this.executablePath ? { executablePath: this.executablePath } : {}),
      inUse: this.inUse,
      maxPages: this.opts.maxPages,
      launches: this.launches,
      pagesServed: this.pagesServed,
      waiting: this.waiters.length,
      ...(live?.pid ? { pid: live.pid } : {}),
      ...(this.lastLaunchError ? { lastLaunchError: this.lastLaunchError } : {}),
    };
  }

  /**
   * Renders url and returns the DOM as HTML. Throws FetchError (egress_blocked, timeout,
   * too_large, network), BrowserUnavailableError, or the caller's abort reason.
   */
  async render(
    url: string,
    signal?: AbortSignal,
    renderOptions: RenderOptions = {},
  ): Promise<RenderedPage> {
    if (this.closed) throw new BrowserUnavailableError('browser pool is closed');
    if (!this.executablePath) {
      throw new BrowserUnavailableError(
        'no Chromium/Chrome executable found (set PUPPETEER_EXECUTABLE_PATH)',
      );
    }
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new FetchError('egress_blocked', 'url must be an absolute http or https URL');
    }
    try {
      await this.guard.assertAllowed(target);
    } catch (err) {
      if (err instanceof EgressBlockedError) throw new FetchError('egress_blocked', err.message);
      throw new FetchError('network', 'host name not found', { cause: err });
    }
    await this.acquireSlot(signal);
    try {
      return await this.renderInSlot(target, signal, renderOptions);
    } finally {
      this.releaseSlot();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0))
      w.reject(new BrowserUnavailableError('browser pool is closed'));
    const launching = this.launching;
    if (launching) await launching.catch(noop);
    await Promise.all([...this.generations].map((g) => this.shutdown(g)));
    this.current = null;
  }

  private acquireSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.inUse < this.opts.maxPages) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        // releaseSlot hands its slot over, so inUse is not touched here.
        resolve: () => {
          cleanup();
          resolve();
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      };
      const onAbort = () => waiter.reject(signal?.reason);
      const timer = setTimeout(
        () => waiter.reject(new FetchError('timeout', 'no free browser page in time')),
        this.opts.queueTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaseSlot(): void {
    const next = this.waiters[0];
    if (next) next.resolve();
    else this.inUse--;
  }

  private async acquireBrowser(): Promise<Generation> {
    const cur = this.current;
    if (cur && !cur.dead && !cur.retiring) return cur;
    if (!this.launching) {
      this.launching = this.launch().finally(() => {
        this.launching = null;
      });
    }
    return this.launching;
  }

  private launchArgs(userDataDir: string): string[] {
    const lang = this.opts.acceptLanguage.split(',')[0]?.split(';')[0]?.trim() || 'en-US';
    const args = [
      `--user-data-dir=${userDataDir}`,
      // /dev/shm is 64 MB in most containers; Chromium crashes on big pages without this.
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-domain-reliability',
      // QUIC would bypass nothing (interception is above it) but is one more protocol to trust.
      '--disable-quic',
      '--mute-audio',
      `--lang=${lang}`,
    ];
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot || this.opts.noSandbox) args.push('--no-sandbox');
    return args;
  }

  private async launch(): Promise<Generation> {
    if (this.closed) throw new BrowserUnavailableError('browser pool is closed');
    const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-chromium-'));
    let browser: Browser;
    try {
      const { default: puppeteer } = await import('puppeteer');
      browser = await puppeteer.launch({
        executablePath: this.executablePath ?? undefined,
        headless: true,
        pipe: true,
        args: this.launchArgs(userDataDir),
        timeout: this.opts.launchTimeoutMs,
        protocolTimeout: Math.max(30_000, this.opts.pageTimeoutMs * 2),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        defaultViewport: { width: 1366, height: 900 },
      });
    } catch (err) {
      await fs.rm(userDataDir, { recursive: true, force: true }).catch(noop);
      this.lastLaunchError =
        err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : 'unknown';
      throw new BrowserUnavailableError('the browser failed to start');
    }
    this.launches++;
    this.lastLaunchError = undefined;
    const gen: Generation = {
      browser,
      userDataDir,
      pid: browser.process()?.pid,
      served: 0,
      active: 0,
      retiring: false,
      dead: false,
    };
    this.generations.add(gen);
    browser.once('disconnected', () => {
      gen.dead = true;
      if (this.current === gen) this.current = null;
      void this.shutdown(gen);
    });
    if (this.closed) {
      await this.shutdown(gen);
      throw new BrowserUnavailableError('browser pool is closed');
    }
    this.current = gen;
    return gen;
  }

  /** Closes a browser (killing it if it will not close) and removes its profile directory. */
  private async shutdown(gen: Generation): Promise<void> {
    if (!this.generations.delete(gen)) return;
    gen.dead = true;
    if (this.current === gen) this.current = null;
    if (gen.browser.connected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        gen.browser.close().catch(noop),
        new Promise<void>((r) => {
          timer = setTimeout(r, 5_000);
        }),
      ]);
      clearTimeout(timer);
    }
    const proc = gen.browser.process();
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await fs.rm(gen.userDataDir, { recursive: true, force: true, maxRetries: 3 }).catch(noop);
  }

  private async renderInSlot(
    target: URL,
    signal: AbortSignal | undefined,
    renderOptions: RenderOptions,
  ): Promise<RenderedPage> {
    const gen = await this.acquireBrowser();
    if (signal?.aborted) throw signal.reason;
    const started = performance.now();
    gen.active++;
    gen.served++;
    this.pagesServed++;
    if (gen.served >= this.opts.recycleAfterPages) {
      gen.retiring = true;
      if (this.current === gen) this.current = null;
    }
    const state = { blocked: 0, mainFrameBlocked: null as string | null, finished: false };
    // Created outside the race so that whatever happens, this exact context gets closed.
    const contextPromise = gen.browser.createBrowserContext();
    contextPromise.catch(noop);
    const work = this.renderWork(contextPromise, target, state, started, renderOptions);
    work.catch(noop);

    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guards = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FetchError('timeout', `page not rendered within ${this.opts.pageTimeoutMs} ms`),
          ),
        this.opts.pageTimeoutMs,
      );
      if (signal) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    guards.catch(noop);
    try {
      return await Promise.race([work, guards]);
    } catch (err) {
      if (err instanceof FetchError || err === signal?.reason) throw err;
      if (state.mainFrameBlocked) throw new FetchError('egress_blocked', state.mainFrameBlocked);
      if (gen.dead || !gen.browser.connected) {
        throw new FetchError('network', 'the browser exited during the render', { cause: err });
      }
      const message = err instanceof Error ? err.message : '';
      const netError = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
      if (netError === 'ERR_NAME_NOT_RESOLVED')
        throw new FetchError('network', 'host name not found');
      if (netError && /TIMED_OUT/.test(netError))
        throw new FetchError('timeout', 'the shop did not answer in time');
      throw new FetchError(
        'network',
        netError ? `navigation failed (${netError})` : 'navigation failed',
        {
          cause: err,
        },
      );
    } finally {
      state.finished = true;
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      await this.closeContext(gen, contextPromise);
      gen.active--;
      if (gen.retiring && gen.active === 0) void this.shutdown(gen);
    }
  }

  /** A context that does not close in time means a wedged browser: replace it. */
  private async closeContext(
    gen: Generation,
    contextPromise: Promise<BrowserContext>,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      contextPromise
        .then((c) => c.close())
        .then(
          () => true,
          () => true,
        ),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), 5_000);
      }),
    ]);
    clearTimeout(timer);
    if (!closed && !gen.dead) {
      gen.retiring = true;
      void this.shutdown(gen);
    }
  }

  private async renderWork(
    contextPromise: Promise<BrowserContext>,
    target: URL,
    state: { blocked: number; mainFrameBlocked: string | null; finished: boolean },
    started: number,
    renderOptions: RenderOptions,
  ): Promise<RenderedPage> {
    const context = await contextPromise;
    const page = await context.newPage();
    await page.setBypassServiceWorker(true);
    await page.setUserAgent({ userAgent: this.opts.userAgent });
    await page.setExtraHTTPHeaders({ 'accept-language': this.opts.acceptLanguage });
    await page.setRequestInterception(true);
    page.on('request', (req) => void this.screen(page, req, state));

    const response = await page.goto(target.href, {
      waitUntil: 'load',
      timeout: this.opts.pageTimeoutMs,
    });
    await this.settle(page, started, renderOptions);
    const html = await page.content();
    if (Buffer.byteLength(html) > this.opts.maxHtmlBytes) {
      throw new FetchError(
        'too_large',
        `rendered page larger than ${this.opts.maxHtmlBytes} bytes`,
      );
    }
    return {
      status: response?.status() ?? 0,
      url: page.url(),
      html,
      elapsedMs: Math.round(performance.now() - started),
      blockedRequests: state.blocked,
    };
  }

  /** Waits, within the page deadline, for scripts to finish filling in the page. */
  private async settle(page: Page, started: number, renderOptions: RenderOptions): Promise<void> {
    // Leave time for page.content() before the hard deadline.
    const budget = () =>
      Math.max(
        0,
        Math.min(
          this.opts.maxSettleMs,
          this.opts.pageTimeoutMs - (performance.now() - started) - 500,
        ),
      );
    if (renderOptions.waitForSelector) {
      await page.waitForSelector(renderOptions.waitForSelector, { timeout: budget() }).catch(noop);
      return;
    }
    const quiet = this.opts.settleQuietMs;
    const deadline = performance.now() + budget();
    await page.waitForNetworkIdle({ idleTime: quiet, timeout: budget() || 1 }).catch(noop);
    const rest = Math.max(0, deadline - performance.now());
    if (rest === 0) return;
    await page
      .evaluate(
        (quietMs: number, maxMs: number) =>
          new Promise<void>((resolve) => {
            // Runs in the page; the worker's tsconfig has no DOM lib.
            const win = globalThis as unknown as {
              document: unknown;
              MutationObserver: new (cb: () => void) => {
                observe(target: unknown, init: object): void;
                disconnect(): void;
              };
            };
            let quietTimer: ReturnType<typeof setTimeout> | undefined;
            const done = () => {
              observer.disconnect();
              clearTimeout(quietTimer);
              clearTimeout(maxTimer);
              resolve();
            };
            const observer = new win.MutationObserver(() => {
              clearTimeout(quietTimer);
              quietTimer = setTimeout(done, quietMs);
            });
            observer.observe(win.document, { subtree: true, childList: true, characterData: true });
            quietTimer = setTimeout(done, quietMs);
            const maxTimer = setTimeout(done, maxMs);
          }),
        Math.min(quiet, rest),
        rest,
      )
      .catch(noop);
  }

  private async screen(
    page: Page,
    req: HTTPRequest,
    state: { blocked: number; mainFrameBlocked: string | null; finished: boolean },
  ): Promise<void> {
    if (req.isInterceptResolutionHandled()) return;
    const block = async (reason: BlockedRequest['reason'], message: string) => {
      state.blocked++;
      if (req.isNavigationRequest() && req.frame() === page.mainFrame())
        state.mainFrameBlocked = message;
      try {
        this.options.onBlockedRequest?.({
          url: req.url().slice(0, 2048),
          resourceType: req.resourceType(),
          reason,
        });
      } catch {
        // An observer's bug must not leave the request hanging.
      }
      await req.abort(reason === 'egress' ? 'accessdenied' : 'blockedbyclient').catch(noop);
    };
    let url: URL;
    try {
      url = new URL(req.url());
    } catch {
      return block('egress', 'invalid request URL');
    }
    if (url.protocol === 'data:' || url.protocol === 'blob:') {
      await req.continue().catch(noop);
      return;
    }
    if (BLOCKED_TYPES.has(req.resourceType()))
      return block('resource_type', 'resource type not needed');
    if (isTrackerHost(url.hostname)) return block('tracker', 'tracker');
    try {
      await this.guard.assertAllowed(url);
    } catch (err) {
      if (err instanceof EgressBlockedError) return block('egress', err.message);
      // A name that does not resolve is the shop's problem, not a policy refusal.
      await req.abort('namenotresolved').catch(noop);
      return;
    }
    if (state.finished) return;
    await req.continue().catch(noop);
  }
}
