import type { BrowserContext, HTTPRequest, Page } from 'puppeteer';
import { BrowserProcess, BrowserUnavailableError, type BrowserGeneration } from './browser-process';
import { findChromiumExecutable } from './chromium-executable';
import { chromiumArgs, writeProfilePreferences } from './chromium-launch';
import { EgressBlockedError, EgressGuard } from './egress-guard';
import { EgressProxy, type EgressRefusal } from './egress-proxy';
import { FetchError } from './http-fetcher';
import { settlePage } from './page-settle';
import { navigationFailure, raceDeadline } from './render-race';
import { isBlockedResourceType, isTrackerHost } from './request-filter';
import { Semaphore } from './semaphore';

export { BrowserUnavailableError } from './browser-process';

export interface RenderedPage {
  status: number;
  url: string;
  html: string;
  elapsedMs: number;
  /** Sub-requests refused by the egress guard or the resource/tracker filter. */
  blockedRequests: number;
  /** host:port destinations the egress proxy refused during this render (at most 20). */
  refusedHosts: string[];
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
  /** Connections Chromium opened through the egress proxy, and how many it refused. */
  egress: { connections: number; refused: number };
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
  /** Every connection the egress proxy refused (a destination, never page data). */
  onEgressRefused?: (refusal: EgressRefusal) => void;
  /**
   * Run Chromium without its own sandbox. Its sandbox needs user namespaces or a setuid helper,
   * which a hardened pod (non-root, no privilege escalation, RuntimeDefault seccomp) does not
   * give; there the container is the sandbox. Always on as root, where Chromium refuses it.
   */
  noSandbox?: boolean;
}

interface RenderState {
  refusedHosts: Set<string>;
  blocked: number;
  mainFrameBlocked: string | null;
  finished: boolean;
}

const MAX_REFUSED_HOSTS = 20;

const NO_EXECUTABLE = 'no Chromium/Chrome executable found (set PUPPETEER_EXECUTABLE_PATH)';

function noop(): void {}

/**
 * One lazily launched Chromium shared by the worker, with at most maxPages renders at a time.
 * Each render gets its own browser context (no cookies shared between shops or jobs). Chromium
 * reaches the network only through the pool's EgressProxy, which applies the egress guard to
 * every connection (HTTP, CONNECT, WebSocket); request interception blocks resource types and
 * trackers and refuses early what the guard would refuse anyway.
 */
export class BrowserPool {
  private readonly executablePath: string | null;
  private readonly opts: Required<
    Omit<BrowserPoolOptions, 'executablePath' | 'onBlockedRequest' | 'onEgressRefused'>
  >;
  private readonly slots: Semaphore;
  private readonly process: BrowserProcess | null;
  private readonly proxy: EgressProxy;
  /** Render in progress per proxy client name, to attribute refused connections. */
  private readonly renders = new Map<string, RenderState>();
  private renderSeq = 0;
  private pagesServed = 0;
  private closed = false;

  constructor(
    private readonly guard: EgressGuard,
    private readonly options: BrowserPoolOptions,
  ) {
    this.executablePath =
      options.executablePath === undefined ? findChromiumExecutable() : options.executablePath;
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
    this.slots = new Semaphore(this.opts.maxPages);
    this.proxy = new EgressProxy(guard, { onRefused: (r) => this.refused(r) });
    this.process = this.executablePath
      ? new BrowserProcess({
          executablePath: this.executablePath,
          args: async () =>
            chromiumArgs({
              proxyPort: await this.proxy.start(),
              acceptLanguage: this.opts.acceptLanguage,
              noSandbox: this.opts.noSandbox,
            }),
          prepareProfile: writeProfilePreferences,
          launchTimeoutMs: this.opts.launchTimeoutMs,
          protocolTimeoutMs: Math.max(30_000, this.opts.pageTimeoutMs * 2),
          recycleAfterPages: this.opts.recycleAfterPages,
        })
      : null;
  }

  static findExecutable(env: NodeJS.ProcessEnv = process.env): string | null {
    return findChromiumExecutable(env);
  }

  status(): BrowserPoolStatus {
    const pid = this.process?.pid;
    const lastLaunchError = this.process?.lastLaunchError;
    return {
      available: !this.closed && this.executablePath !== null,
      ...(this.closed
        ? { reason: 'browser pool is closed' }
        : this.executablePath === null
          ? { reason: NO_EXECUTABLE }
          : {}),
      ...(this.executablePath ? { executablePath: this.executablePath } : {}),
      inUse: this.slots.inUse,
      maxPages: this.opts.maxPages,
      launches: this.process?.launches ?? 0,
      pagesServed: this.pagesServed,
      waiting: this.slots.waiting,
      ...(pid ? { pid } : {}),
      ...(lastLaunchError ? { lastLaunchError } : {}),
      egress: { connections: this.proxy.connections, refused: this.proxy.refused },
    };
  }

  /**
   * Renders url and returns the DOM as HTML. Throws FetchError (egress_blocked, timeout,
   * too_large, network), BrowserUnavailableError, or the caller's abort reason.
   */
  async render(url: string, signal?: AbortSignal): Promise<RenderedPage> {
    if (this.closed) throw new BrowserUnavailableError('browser pool is closed');
    const browserProcess = this.process;
    if (!browserProcess) throw new BrowserUnavailableError(NO_EXECUTABLE);
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
    await this.slots.acquire({
      signal,
      timeoutMs: this.opts.queueTimeoutMs,
      onTimeout: () => new FetchError('timeout', 'no free browser page in time'),
    });
    try {
      const gen = await browserProcess.begin();
      this.pagesServed++;
      try {
        return await this.renderOn(gen, target, signal);
      } finally {
        browserProcess.end(gen);
      }
    } finally {
      this.slots.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.slots.rejectWaiters(new BrowserUnavailableError('browser pool is closed'));
    await this.process?.close();
    await this.proxy.close();
  }

  private refused(refusal: EgressRefusal): void {
    const state = this.renders.get(refusal.client);
    if (state && state.refusedHosts.size < MAX_REFUSED_HOSTS)
      state.refusedHosts.add(`${refusal.host}:${refusal.port}`);
    try {
      this.options.onEgressRefused?.(refusal);
    } catch {
      // An observer's bug must not break the proxy.
    }
  }

  private async renderOn(
    gen: BrowserGeneration,
    target: URL,
    signal: AbortSignal | undefined,
  ): Promise<RenderedPage> {
    if (signal?.aborted) throw signal.reason;
    const started = performance.now();
    const state: RenderState = {
      refusedHosts: new Set(),
      blocked: 0,
      mainFrameBlocked: null,
      finished: false,
    };
    const client = `render-${++this.renderSeq}`;
    this.renders.set(client, state);
    // Created outside the race so that whatever happens, this exact context gets closed.
    const contextPromise = gen.browser.createBrowserContext();
    contextPromise.catch(noop);
    try {
      return await raceDeadline(
        this.renderWork(contextPromise, client, target, state, started),
        this.opts.pageTimeoutMs,
        signal,
      );
    } catch (err) {
      if (err instanceof FetchError || err === signal?.reason) throw err;
      if (state.mainFrameBlocked) throw new FetchError('egress_blocked', state.mainFrameBlocked);
      if (gen.dead || !gen.browser.connected) {
        throw new FetchError('network', 'the browser exited during the render', { cause: err });
      }
      throw navigationFailure(err);
    } finally {
      state.finished = true;
      await this.closeContext(gen, contextPromise);
      this.renders.delete(client);
    }
  }

  /** A context that does not close in time means a wedged browser: replace it. */
  private async closeContext(
    gen: BrowserGeneration,
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
    if (!closed) this.process?.discard(gen);
  }

  private async renderWork(
    contextPromise: Promise<BrowserContext>,
    client: string,
    target: URL,
    state: RenderState,
    started: number,
  ): Promise<RenderedPage> {
    const context = await contextPromise;
    const page = await context.newPage();
    // Answers the egress proxy's challenge; the name attributes refused connections to this render.
    await page.authenticate(this.proxy.credentials(client));
    await page.setBypassServiceWorker(true);
    await page.setUserAgent({ userAgent: this.opts.userAgent });
    await page.setExtraHTTPHeaders({ 'accept-language': this.opts.acceptLanguage });
    await page.setRequestInterception(true);
    page.on('request', (req) => void this.screen(page, req, state));

    const response = await page.goto(target.href, {
      waitUntil: 'load',
      timeout: this.opts.pageTimeoutMs,
    });
    // Leave time for page.content() before the hard deadline.
    await settlePage(page, this.opts.settleQuietMs, () =>
      Math.max(
        0,
        Math.min(
          this.opts.maxSettleMs,
          this.opts.pageTimeoutMs - (performance.now() - started) - 500,
        ),
      ),
    );
    if (response?.headers()['proxy-status']?.startsWith('pricewatch-egress'))
      throw new FetchError('egress_blocked', 'the page led to an address pricewatch may not fetch');
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
      refusedHosts: [...state.refusedHosts],
    };
  }

  private async screen(page: Page, req: HTTPRequest, state: RenderState): Promise<void> {
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
    if (isBlockedResourceType(req.resourceType()))
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
