import type { HTTPRequest } from 'puppeteer';
import { BrowserProcess, BrowserUnavailableError, type BrowserGeneration } from './browser-process';
import { findChromiumExecutable } from './chromium-executable';
import { chromiumArgs, writeProfilePreferences } from './chromium-launch';
import { EgressBlockedError, EgressGuard } from './egress-guard';
import { EgressProxy, type EgressRefusal } from './egress-proxy';
import { FetchError } from './http-fetcher';
import { settlePage, settleUntil } from './page-settle';
import { PageSlot } from './page-slot';
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
  /**
   * Renders one warm page (and its browser context) serves, reset between renders, before it is
   * replaced; 1 gives every render a fresh context.
   */
  rendersPerPage?: number;
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
  /** More Chromium switches, after the pool's own (bench/browser-ab.ts compares them). */
  extraArgs?: string[];
}

export interface RenderOptions {
  /**
   * The page has what the caller needs (e.g. the extractor finds a price): the render ends as
   * soon as this holds for the DOM, polled on each change, instead of waiting for it to settle.
   */
  isComplete?: (html: string) => boolean;
}

/** Longest reset of a warm page between renders before it is closed instead. */
const RESET_TIMEOUT_MS = 5_000;

export interface RenderState {
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
  /** Render in progress per proxy client name (one per slot), to attribute refused connections. */
  private readonly clients = new Map<string, RenderState>();
  private readonly freeSlots: PageSlot[] = [];
  private slotSeq = 0;
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
      rendersPerPage: Math.max(1, options.rendersPerPage ?? 50),
      maxHtmlBytes: options.maxHtmlBytes ?? 5 * 1024 * 1024,
      noSandbox: options.noSandbox ?? false,
      extraArgs: options.extraArgs ?? [],
    };
    this.slots = new Semaphore(this.opts.maxPages);
    this.proxy = new EgressProxy(guard, {
      onRefused: (r) => this.refused(r),
      // A slot reaches the network only while a render holds it.
      admit: (client) => {
        const state = this.clients.get(client);
        return state !== undefined && !state.finished;
      },
    });
    this.process = this.executablePath
      ? new BrowserProcess({
          executablePath: this.executablePath,
          args: async () => [
            ...chromiumArgs({
              proxyPort: await this.proxy.start(),
              acceptLanguage: this.opts.acceptLanguage,
              noSandbox: this.opts.noSandbox,
            }),
            ...this.opts.extraArgs,
          ],
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
  async render(
    url: string,
    signal?: AbortSignal,
    renderOptions: RenderOptions = {},
  ): Promise<RenderedPage> {
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
        return await this.renderOn(gen, target, signal, renderOptions);
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
    this.freeSlots.length = 0;
    await this.process?.close();
    await this.proxy.close();
  }

  private refused(refusal: EgressRefusal): void {
    const state = this.clients.get(refusal.client);
    if (state && state.refusedHosts.size < MAX_REFUSED_HOSTS)
      state.refusedHosts.add(`${refusal.host}:${refusal.port}`);
    try {
      this.options.onEgressRefused?.(refusal);
    } catch {
      // An observer's bug must not break the proxy.
    }
  }

  /** A warm slot of the current browser, or a new one. */
  private async takeSlot(gen: BrowserGeneration): Promise<PageSlot> {
    while (this.freeSlots.length > 0) {
      const slot = this.freeSlots.pop()!;
      if (slot.gen === gen && !gen.dead) return slot;
      void slot.close().catch(noop);
    }
    return PageSlot.open(gen, {
      userAgent: this.opts.userAgent,
      acceptLanguage: this.opts.acceptLanguage,
      proxyCredentials: this.proxy.credentials(`slot-${++this.slotSeq}`),
      onRequest: (slot, req) => void this.screen(slot, req),
    });
  }

  /** After a render: reset and keep the slot warm, or close it (unhealthy, or served enough). */
  private async returnSlot(slot: PageSlot, healthy: boolean): Promise<void> {
    this.clients.delete(slot.client);
    const gen = slot.gen;
    if (healthy && !gen.dead && !gen.retiring && slot.renders < this.opts.rendersPerPage) {
      try {
        await raceDeadline(slot.reset(RESET_TIMEOUT_MS), RESET_TIMEOUT_MS + 1_000);
        if (!this.closed) {
          this.freeSlots.push(slot);
          return;
        }
      } catch {
        // A page that will not go blank is closed with its context below.
      }
    }
    const closed = await raceDeadline(slot.close(), RESET_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    // A context that does not close in time means a wedged browser: replace it.
    if (!closed) this.process?.discard(gen);
  }

  private async renderOn(
    gen: BrowserGeneration,
    target: URL,
    signal: AbortSignal | undefined,
    renderOptions: RenderOptions,
  ): Promise<RenderedPage> {
    if (signal?.aborted) throw signal.reason;
    const started = performance.now();
    const state: RenderState = {
      refusedHosts: new Set(),
      blocked: 0,
      mainFrameBlocked: null,
      finished: false,
    };
    let healthy = false;
    // Opening a slot counts against the deadline too; whatever happens, the slot is returned.
    const slotPromise = this.takeSlot(gen);
    slotPromise.catch(noop);
    const work = slotPromise.then((slot) => {
      slot.renders++;
      slot.state = state;
      this.clients.set(slot.client, state);
      return this.renderWork(slot, target, state, started, renderOptions);
    });
    try {
      const page = await raceDeadline(work, this.opts.pageTimeoutMs, signal);
      healthy = true;
      return page;
    } catch (err) {
      if (err instanceof FetchError || err === signal?.reason) throw err;
      if (state.mainFrameBlocked) throw new FetchError('egress_blocked', state.mainFrameBlocked);
      if (gen.dead || !gen.browser.connected) {
        throw new FetchError('network', 'the browser exited during the render', { cause: err });
      }
      // A navigation error leaves the page usable.
      healthy = true;
      throw navigationFailure(err);
    } finally {
      state.finished = true;
      const slot = await slotPromise.catch(() => null);
      if (slot) {
        slot.state = null;
        await this.returnSlot(slot, healthy);
      }
    }
  }

  private async renderWork(
    slot: PageSlot,
    target: URL,
    state: RenderState,
    started: number,
    renderOptions: RenderOptions,
  ): Promise<RenderedPage> {
    const { page } = slot;
    const response = await page.goto(target.href, {
      waitUntil: renderOptions.isComplete ? 'domcontentloaded' : 'load',
      timeout: this.opts.pageTimeoutMs,
    });
    if (response?.headers()['proxy-status']?.startsWith('pricewatch-egress'))
      throw new FetchError('egress_blocked', 'the page led to an address pricewatch may not fetch');
    // Leave time for page.content() before the hard deadline.
    const budget = () =>
      Math.max(
        0,
        Math.min(
          this.opts.maxSettleMs,
          this.opts.pageTimeoutMs - (performance.now() - started) - 500,
        ),
      );
    const html = renderOptions.isComplete
      ? await settleUntil(page, renderOptions.isComplete, this.opts.settleQuietMs, budget)
      : (await settlePage(page, this.opts.settleQuietMs, budget), await page.content());
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

  private async screen(slot: PageSlot, req: HTTPRequest): Promise<void> {
    if (req.isInterceptResolutionHandled()) return;
    const state = slot.state;
    const page = slot.page;
    const block = async (reason: BlockedRequest['reason'], message: string) => {
      if (state) {
        state.blocked++;
        if (req.isNavigationRequest() && req.frame() === page.mainFrame())
          state.mainFrameBlocked = message;
      }
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
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.href === 'about:blank') {
      await req.continue().catch(noop);
      return;
    }
    // Between renders the page only goes blank; anything else is a leftover of the last job.
    if (!state || state.finished) {
      await req.abort('aborted').catch(noop);
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
    if (state.finished) {
      await req.abort('aborted').catch(noop);
      return;
    }
    slot.noteOrigin(url);
    await req.continue().catch(noop);
  }
}
