import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer';
import { isHeadlessShell } from './chromium-executable';

/** No browser to render with (none installed, failed to start, or the pool is closed). */
export class BrowserUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserUnavailableError';
  }
}

/** One Chromium process and its throw-away profile directory. */
export interface BrowserGeneration {
  readonly browser: Browser;
  readonly userDataDir: string;
  readonly pid?: number;
  /** Renders started on this browser. */
  served: number;
  /** Renders running on it now. */
  active: number;
  /** Takes no new renders; closed when the last one ends. */
  retiring: boolean;
  dead: boolean;
}

export interface BrowserProcessOptions {
  executablePath: string;
  /** Chromium switches, asked at each launch; the profile directory is added per launch. */
  args: () => Promise<string[]>;
  /** Writes into a fresh profile directory before Chromium starts (preferences). */
  prepareProfile?: (userDataDir: string) => Promise<void>;
  launchTimeoutMs: number;
  protocolTimeoutMs: number;
  /** Renders served by one browser process before it is replaced (memory creep, leaked state). */
  recycleAfterPages: number;
}

function noop(): void {}

/**
 * Launches Chromium lazily, relaunches it after a crash, and replaces it after
 * `recycleAfterPages` renders or when a caller finds it wedged. A retiring browser finishes its
 * running renders before it is closed; its profile directory is removed with it.
 */
export class BrowserProcess {
  private current: BrowserGeneration | null = null;
  private launching: Promise<BrowserGeneration> | null = null;
  private readonly generations = new Set<BrowserGeneration>();
  private closed = false;
  launches = 0;
  lastLaunchError?: string;

  constructor(private readonly opts: BrowserProcessOptions) {}

  /** Process id of the current browser, when one is running. */
  get pid(): number | undefined {
    return this.current && !this.current.dead ? this.current.pid : undefined;
  }

  /** The browser for one more render (launched if needed); pair with end(). */
  async begin(): Promise<BrowserGeneration> {
    const gen = await this.acquire();
    gen.active++;
    gen.served++;
    if (gen.served >= this.opts.recycleAfterPages) this.retire(gen);
    return gen;
  }

  /** A render on gen is over: a retiring browser closes after its last one. */
  end(gen: BrowserGeneration): void {
    gen.active--;
    if (gen.retiring && gen.active === 0) void this.shutdown(gen);
  }

  /** No new renders on gen; it closes when its running ones end. */
  retire(gen: BrowserGeneration): void {
    gen.retiring = true;
    if (this.current === gen) this.current = null;
  }

  /** A wedged browser: close it now, whatever runs on it. */
  discard(gen: BrowserGeneration): void {
    if (gen.dead) return;
    this.retire(gen);
    void this.shutdown(gen);
  }

  async close(): Promise<void> {
    this.closed = true;
    const launching = this.launching;
    if (launching) await launching.catch(noop);
    await Promise.all([...this.generations].map((g) => this.shutdown(g)));
    this.current = null;
  }

  private acquire(): Promise<BrowserGeneration> {
    const cur = this.current;
    if (cur && !cur.dead && !cur.retiring) return Promise.resolve(cur);
    if (!this.launching) {
      this.launching = this.launch().finally(() => {
        this.launching = null;
      });
    }
    return this.launching;
  }

  private async launch(): Promise<BrowserGeneration> {
    if (this.closed) throw new BrowserUnavailableError('browser pool is closed');
    const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-chromium-'));
    let browser: Browser;
    try {
      await this.opts.prepareProfile?.(userDataDir);
      const args = await this.opts.args();
      const { default: puppeteer } = await import('puppeteer');
      browser = await puppeteer.launch({
        executablePath: this.opts.executablePath,
        headless: isHeadlessShell(this.opts.executablePath) ? 'shell' : true,
        pipe: true,
        args: [`--user-data-dir=${userDataDir}`, ...args],
        timeout: this.opts.launchTimeoutMs,
        protocolTimeout: this.opts.protocolTimeoutMs,
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
    // The tab Chromium opens at start keeps a renderer alive for nothing: renders get their own.
    for (const page of await browser.pages().catch(() => [])) await page.close().catch(noop);
    this.launches++;
    this.lastLaunchError = undefined;
    const gen: BrowserGeneration = {
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
  private async shutdown(gen: BrowserGeneration): Promise<void> {
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
}
