import type { BrowserContext, CDPSession, HTTPRequest, Page } from 'puppeteer';
import type { RenderState } from './browser-pool';
import type { BrowserGeneration } from './browser-process';

function noop(): void {}

export interface PageSlotSetup {
  userAgent: string;
  acceptLanguage: string;
  /** Credentials answering the egress proxy's challenge (the user name names this slot). */
  proxyCredentials: { username: string; password: string };
  /** Every request the page makes, while a render holds the slot or not. */
  onRequest: (slot: PageSlot, req: HTTPRequest) => void;
}

/**
 * A long-lived page in its own browser context, reused render after render so that Chromium
 * keeps its renderer warm. Between renders `reset` leaves nothing a later job could read: the
 * document is replaced by about:blank, then cookies, HTTP cache and every kind of storage
 * (local, session, IndexedDB, Cache Storage, service workers) of every origin the render touched
 * are cleared through CDP. See docs/DECISIONS.md ("Warm pages").
 */
export class PageSlot {
  renders = 0;
  /** The render holding the slot, if any. */
  state: RenderState | null = null;
  /** Origins the current render's requests went to (storage to clear afterwards). */
  readonly origins = new Set<string>();

  private constructor(
    readonly gen: BrowserGeneration,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
    /** The proxy user name of this slot. */
    readonly client: string,
  ) {}

  static async open(gen: BrowserGeneration, setup: PageSlotSetup): Promise<PageSlot> {
    const context = await gen.browser.createBrowserContext();
    try {
      const page = await context.newPage();
      const cdp = await page.createCDPSession();
      const slot = new PageSlot(gen, context, page, cdp, setup.proxyCredentials.username);
      await page.authenticate(setup.proxyCredentials);
      await page.setBypassServiceWorker(true);
      await page.setUserAgent({ userAgent: setup.userAgent });
      await page.setExtraHTTPHeaders({ 'accept-language': setup.acceptLanguage });
      await cdp.send('DOMStorage.enable');
      await page.setRequestInterception(true);
      page.on('request', (req) => setup.onRequest(slot, req));
      // Dialogs would stall the page until dismissed.
      page.on('dialog', (d) => void d.dismiss().catch(noop));
      return slot;
    } catch (err) {
      await context.close().catch(noop);
      throw err;
    }
  }

  noteOrigin(url: URL): void {
    if (url.protocol === 'http:' || url.protocol === 'https:') this.origins.add(url.origin);
  }

  /** Leaves the slot as a fresh context would be; throws if the page does not cooperate. */
  async reset(timeoutMs: number): Promise<void> {
    await this.page.goto('about:blank', { waitUntil: 'load', timeout: timeoutMs });
    const origins = [...this.origins];
    this.origins.clear();
    // One batch of CDP calls, sent together. Storage.clearDataForOrigin ("all": cookies, local
    // storage, IndexedDB, Cache Storage, service workers, ...) per origin the render touched;
    // session storage belongs to the tab; every cookie of the context
    // whatever its domain; the HTTP cache; history.length would count the jobs served; and
    // window.name, which belongs to the tab and outlives same-site navigations.
    await Promise.all([
      ...origins.map((origin) =>
        this.cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' }),
      ),
      // Local and session storage through the DOMStorage agent as well: a renderer process kept
      // across renders caches local storage, and learns of clearDataForOrigin only later.
      ...origins.flatMap((origin) =>
        [true, false].map((isLocalStorage) =>
          this.cdp
            .send('DOMStorage.clear', { storageId: { securityOrigin: origin, isLocalStorage } })
            .catch(noop),
        ),
      ),
      this.cdp.send('Network.clearBrowserCookies'),
      this.cdp.send('Network.clearBrowserCache'),
      this.cdp.send('Page.resetNavigationHistory'),
      this.page.evaluate(`window.name = ''`),
    ]);
    // Popups and other pages a render opened.
    for (const p of await this.context.pages()) if (p !== this.page) await p.close().catch(noop);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
