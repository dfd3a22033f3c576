/**
 * Scrape throughput and cost of the worker's real fetch path, against the local fixture shop:
 *
 *   npm run bench:scrape            (= npx tsx bench/scrape.ts)
 *   npm run -s bench:scrape -- --json   (also one JSON object per path and line:
 *     {"path","checks","checksPerSecond","cpuMsPerCheck","peakMemoryMb"}, memory = Node RSS +
 *     Chromium PSS peaks; SCRAPE_RENDERS_PER_PAGE=1 measures a fresh context per render)
 *   SCRAPE_N_STATIC=200 SCRAPE_N_BROWSER=40 SCRAPE_N_MIX=100 SCRAPE_N_BASELINE=20 npm run bench:scrape
 *
 * Paths, each after a warm-up, each with a fixed number of checks:
 *   http      static pages (jsonld, microdata, opengraph, amazon, pccomponentes), 8 checks at once
 *   browser   js-rendered pages: HTTP first (no price), then the shared BrowserPool
 *             (maxPages = BROWSER_CONCURRENCY, default 4), 8 checks at once
 *   mix       80% static / 20% js-rendered, same worker (8 at once, same pool)
 *   baseline  the design this replaces: every check launches its own Chromium, goto
 *             (networkidle0), content(), extractProduct, close; 5 checks at once; same 80/20 mix.
 *             It launches what that design shipped, the full chromium (/usr/bin/chromium), when
 *             installed; SCRAPE_BASELINE_EXECUTABLE=<path> picks another (e.g. the headless shell
 *             the pool uses, to compare the designs on one binary)
 *
 * Everything runs through EgressGuard + HttpFetcher + BrowserPool + PageChecker, as the worker
 * wires them (the shop's host:port is on the egress allow list, as in tests).
 *
 * CPU per check counts the whole worker: this Node process (process.cpuUsage) plus Chromium.
 * Chromium is read from /proc: utime+stime(+cutime+cstime) of every live descendant of this
 * process, plus this process's own cutime+cstime (browsers that exited and were reaped, i.e. the
 * baseline's). The fixture shop runs in a separate child process and is excluded, so its cost is
 * not billed to the worker. Peak memory: this process's RSS, plus the peak of the summed PSS
 * (proportional set size, shared pages split) of the Chromium processes, sampled every 100 ms.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { EgressAllowList, type Job } from '@app/jobs-domain';
import { PageChecker } from '../apps/scraper-worker/src/checks/page-checker';
import { extractProduct } from '@app/extraction';
import {
  BrowserPool,
  EgressGuard,
  HttpFetcher,
  isHeadlessShell,
} from '../apps/scraper-worker/src/fetching';
import { httpFetcherSettings, WorkerConfig } from '../apps/scraper-worker/src/worker.config';
import { benchHeader } from './support/machine';

// ---------------------------------------------------------------------------------------------
// The fixture shop, in a child process so its CPU is not billed to the worker.
if (process.argv[2] === '--shop') {
  void (async () => {
    const { startFixtureShop } = await import('../test/fixtures/shop');
    const shop = await startFixtureShop();
    process.send?.({ baseUrl: shop.baseUrl, hostPort: shop.hostPort });
    process.on('disconnect', () => void shop.close().finally(() => process.exit(0)));
  })();
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

const STATIC_SLUGS = ['jsonld', 'microdata', 'opengraph', 'amazon', 'pccomponentes'] as const;
const JS_SLUG = 'js-rendered';
const CURRENCY: Record<string, string> = { pccomponentes: 'EUR' };

const env = process.env;
const int = (name: string, dflt: number) => Number.parseInt(env[name] ?? '', 10) || dflt;
const N_STATIC = int('SCRAPE_N_STATIC', 200);
const N_BROWSER = int('SCRAPE_N_BROWSER', 40);
const N_MIX = int('SCRAPE_N_MIX', 100);
const N_BASELINE = int('SCRAPE_N_BASELINE', 20);
const WORKER_CONCURRENCY = int('WORKER_CONCURRENCY', 8);
const BROWSER_CONCURRENCY = int('BROWSER_CONCURRENCY', 4);
const BASELINE_CONCURRENCY = 5;
const JS_SHARE = 0.2;
/** Warm pages are reset and reused this many times (1 = a fresh browser context per render). */
const RENDERS_PER_PAGE = int('SCRAPE_RENDERS_PER_PAGE', 50);
const JSON_OUTPUT = process.argv.includes('--json');

// ---------------------------------------------------------------------------------------------
// /proc accounting

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
const PAGE_KB = 4;
const SAMPLE_MS = 250;

interface ProcStat {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function readStat(pid: number | 'self'): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: split after the last ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const f = (i: number) => Number(rest[i - 3]); // rest[0] is field 3 (state)
    return {
      pid: pid === 'self' ? process.pid : pid,
      ppid: f(4),
      utime: f(14),
      stime: f(15),
      cutime: f(16),
      cstime: f(17),
    };
  } catch {
    return null;
  }
}

let excludedPids = new Set<number>();

function descendants(): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const s of all) {
    const list = byParent.get(s.ppid) ?? [];
    list.push(s);
    byParent.set(s.ppid, list);
  }
  const out: ProcStat[] = [];
  const queue = [process.pid];
  while (queue.length) {
    const pid = queue.pop()!;
    for (const child of byParent.get(pid) ?? []) {
      if (excludedPids.has(child.pid)) continue;
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** CPU ms of Chromium (all descendants but the shop), live and reaped. */
function chromiumCpuMs(): number {
  const self = readStat('self')!;
  let ticks = self.cutime + self.cstime;
  for (const d of descendants()) ticks += d.utime + d.stime + d.cutime + d.cstime;
  return ticks * TICK_MS;
}

/** Debugging aid (SCRAPE_PROCS=1): own CPU of live Chromium processes by --type. */
function cpuByType(): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of descendants()) {
    let type = 'browser';
    try {
      const cmd = readFileSync(`/proc/${d.pid}/cmdline`, 'utf8');
      type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? (/crashpad/.test(cmd) ? 'crashpad' : 'browser');
      if (type === 'utility') type += `:${/--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? ''}`;
    } catch {
      /* gone */
    }
    out.set(type, (out.get(type) ?? 0) + (d.utime + d.stime + d.cutime + d.cstime) * TICK_MS);
  }
  return out;
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* fall through */
  }
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KB;
  } catch {
    return 0;
  }
}

/**
 * Reading /proc (smaps_rollup walks page tables) costs this process real CPU; the sampler keeps
 * account of its own cost so that it can be subtracted from the worker's.
 */
class MemorySampler {
  peakChromiumKb = 0;
  peakNodeRssKb = 0;
  overheadMs = 0;
  private timer?: NodeJS.Timeout;
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
  private sample(): void {
    const c0 = process.cpuUsage();
    let kb = 0;
    for (const d of descendants()) kb += pssKb(d.pid);
    this.peakChromiumKb = Math.max(this.peakChromiumKb, kb);
    this.peakNodeRssKb = Math.max(this.peakNodeRssKb, process.memoryUsage.rss() / 1024);
    const c = process.cpuUsage(c0);
    this.overheadMs += (c.user + c.system) / 1000;
  }
}

// ---------------------------------------------------------------------------------------------

interface Result {
  name: string;
  /** The path's key in --json output. */
  path: 'static' | 'browser' | 'mix' | 'baseline';
  n: number;
  concurrency: string;
  wallMs: number;
  nodeCpuMs: number;
  chromiumCpuMs: number;
  outcomes: Record<string, number>;
  paths: Record<string, number>;
  latencies: number[];
  peakNodeRssMb: number;
  peakChromiumMb: number;
  /** 1-minute load average at the end: other work on the machine skews wall time, not CPU. */
  load: number;
}

function job(baseUrl: string, slug: string, i: number): Job {
  const now = new Date().toISOString();
  return {
    jobId: `bench-${slug}-${i}`,
    userId: 'bench',
    url: `${baseUrl}/p/${slug}`,
    targetPrice: '1.00',
    currency: CURRENCY[slug] ?? 'USD',
    checkIntervalMinutes: 60,
    status: 'processing',
    version: 1,
    createdAt: now,
    updatedAt: now,
    consecutiveFailures: 0,
  } as Job;
}

/** Slugs for n checks with a deterministic share of js-rendered pages spread evenly. */
function slugs(n: number, jsShare: number): string[] {
  const out: string[] = [];
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += jsShare;
    if (acc >= 1 - 1e-9) {
      acc -= 1;
      out.push(JS_SLUG);
    } else out.push(STATIC_SLUGS[i % STATIC_SLUGS.length]);
  }
  return out;
}

async function runPool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function measure(
  path: Result['path'],
  name: string,
  concurrency: string,
  items: string[],
  workers: number,
  check: (slug: string, i: number) => Promise<{ outcome: string; path: string }>,
): Promise<Result> {
  const outcomes: Record<string, number> = {};
  const paths: Record<string, number> = {};
  const latencies: number[] = [];
  const mem = new MemorySampler();
  if (global.gc) global.gc();
  const chr0 = chromiumCpuMs();
  mem.start();
  mem.overheadMs = 0;
  const cpu0 = process.cpuUsage();
  const types0 = env.SCRAPE_PROCS ? cpuByType() : null;
  const t0 = performance.now();
  await runPool(items, workers, async (slug, i) => {
    const s = performance.now();
    const r = await check(slug, i);
    latencies.push(performance.now() - s);
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    paths[r.path] = (paths[r.path] ?? 0) + 1;
  });
  const wallMs = performance.now() - t0;
  const a0 = process.cpuUsage();
  const chr1 = chromiumCpuMs();
  const acct = process.cpuUsage(a0);
  const cpu = process.cpuUsage(cpu0);
  mem.stop();
  if (types0) {
    const types1 = cpuByType();
    const diff = [...types1].map(([t, ms]) => `${t}=${(ms - (types0.get(t) ?? 0)).toFixed(0)}ms`);
    console.log(`  [${name}] live Chromium CPU by process type: ${diff.join(' ')}`);
  }
  const load = os.loadavg()[0];
  return {
    name,
    path,
    n: items.length,
    concurrency,
    wallMs,
    // Minus the sampler's and the final /proc scan's own CPU (the first scan ran before cpu0).
    nodeCpuMs: (cpu.user + cpu.system - acct.user - acct.system) / 1000 - mem.overheadMs,
    load,
    chromiumCpuMs: chr1 - chr0,
    outcomes,
    paths,
    latencies: latencies.sort((a, b) => a - b),
    peakNodeRssMb: mem.peakNodeRssKb / 1024,
    peakChromiumMb: mem.peakChromiumKb / 1024,
  };
}

function startShop(): Promise<{ child: ChildProcess; baseUrl: string; hostPort: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--shop'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fixture shop exited (${code})`)));
    child.once('message', (m: { baseUrl: string; hostPort: string }) => resolve({ child, ...m }));
  });
}

function launchArgs(): string[] {
  const args = ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--mute-audio'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

async function main(): Promise<void> {
  const shop = await startShop();
  excludedPids = new Set([shop.child.pid!]);
  const guard = new EgressGuard(new EgressAllowList([shop.hostPort]));
  const http = new HttpFetcher(guard, httpFetcherSettings(new WorkerConfig()));
  const executablePath = BrowserPool.findExecutable();
  if (!executablePath) throw new Error('no Chromium found (set PUPPETEER_EXECUTABLE_PATH)');
  const pool = new BrowserPool(guard, {
    executablePath,
    maxPages: BROWSER_CONCURRENCY,
    pageTimeoutMs: 30_000,
    recycleAfterPages: 200,
    rendersPerPage: RENDERS_PER_PAGE,
    userAgent: 'Mozilla/5.0 (pricewatch bench)',
    acceptLanguage: 'en-US,en;q=0.9',
  });
  const checker = new PageChecker(http, pool);
  const viaWorker = async (slug: string, i: number) => {
    const r = await checker.check(job(shop.baseUrl, slug, i));
    return { outcome: r.observation.outcome, path: r.path };
  };

  const { default: puppeteer } = await import('puppeteer');
  const baselineExecutable =
    env.SCRAPE_BASELINE_EXECUTABLE ||
    (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : executablePath);
  const baseline = async (slug: string, i: number) => {
    const j = job(shop.baseUrl, slug, i);
    const browser = await puppeteer.launch({
      executablePath: baselineExecutable,
      headless: isHeadlessShell(baselineExecutable) ? 'shell' : true,
      pipe: true,
      args: launchArgs(),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(j.url, { waitUntil: 'networkidle0', timeout: 30_000 });
      const html = await page.content();
      const r = extractProduct(html, { url: page.url(), jobCurrency: j.currency });
      const outcome =
        (res?.status() ?? 0) >= 400 ? 'fetch_error' : r.price === null ? 'price_not_found' : 'ok';
      return { outcome, path: 'browser-per-check' };
    } finally {
      await browser.close();
    }
  };

  console.log(
    await benchHeader(
      'bench/scrape',
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, pool: ${executablePath}, ` +
        `baseline: ${baselineExecutable}`,
    ),
  );
  console.log(
    `worker concurrency ${WORKER_CONCURRENCY}, browser pages ${BROWSER_CONCURRENCY} (renders per page ${RENDERS_PER_PAGE}), baseline ${BASELINE_CONCURRENCY} browsers; ` +
      `N static=${N_STATIC} browser=${N_BROWSER} mix=${N_MIX} baseline=${N_BASELINE}`,
  );

  // Warm-up: JIT, keep-alive sockets, the shared browser launched and one page rendered.
  await runPool(slugs(40, 0), WORKER_CONCURRENCY, async (s, i) => void (await viaWorker(s, i)));
  await runPool([JS_SLUG, JS_SLUG, JS_SLUG, JS_SLUG], BROWSER_CONCURRENCY, async (s, i) => {
    await viaWorker(s, i);
  });
  await baseline(JS_SLUG, 0);

  const results: Result[] = [];
  const wc = String(WORKER_CONCURRENCY);
  results.push(
    await measure('static', 'http (static)', wc, slugs(N_STATIC, 0), WORKER_CONCURRENCY, viaWorker),
  );
  results.push(
    await measure(
      'browser',
      `browser (js, pool ${BROWSER_CONCURRENCY})`,
      wc,
      slugs(N_BROWSER, 1),
      WORKER_CONCURRENCY,
      viaWorker,
    ),
  );
  results.push(
    await measure('mix', 'mix 80/20', wc, slugs(N_MIX, JS_SHARE), WORKER_CONCURRENCY, viaWorker),
  );
  results.push(
    await measure(
      'baseline',
      'baseline: browser/check, mix 80/20',
      String(BASELINE_CONCURRENCY),
      slugs(N_BASELINE, JS_SHARE),
      BASELINE_CONCURRENCY,
      baseline,
    ),
  );
  const poolStatus = pool.status();

  await pool.close();
  await http.close();
  shop.child.removeAllListeners('exit');
  shop.child.disconnect();

  const pct = (xs: number[], q: number) =>
    xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
  const rows = results.map((r) => {
    const cps = r.n / (r.wallMs / 1000);
    const total = r.nodeCpuMs + r.chromiumCpuMs;
    return {
      path: r.name,
      N: r.n,
      conc: r.concurrency,
      'wall s': (r.wallMs / 1000).toFixed(2),
      'checks/s': cps.toFixed(1),
      'CPU ms/check': (total / r.n).toFixed(1),
      'node ms': (r.nodeCpuMs / r.n).toFixed(1),
      'chromium ms': (r.chromiumCpuMs / r.n).toFixed(1),
      'checks/CPU-s': (1000 / (total / r.n)).toFixed(1),
      'p50 ms': pct(r.latencies, 0.5).toFixed(0),
      'p95 ms': pct(r.latencies, 0.95).toFixed(0),
      'node RSS MB': r.peakNodeRssMb.toFixed(0),
      'chromium PSS MB': r.peakChromiumMb.toFixed(0),
      load: r.load.toFixed(1),
      outcomes: Object.entries(r.outcomes)
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
      paths: Object.entries(r.paths)
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
    };
  });
  console.table(rows);
  const base = results[results.length - 1];
  const mix = results[2];
  const speed = mix.n / mix.wallMs / (base.n / base.wallMs);
  const cost =
    (base.nodeCpuMs + base.chromiumCpuMs) / base.n / ((mix.nodeCpuMs + mix.chromiumCpuMs) / mix.n);
  console.log(
    `mix vs baseline (same 80/20 pages): ${speed.toFixed(1)}x the checks/s, ${cost.toFixed(1)}x less CPU per check`,
  );
  console.log(
    `per core (= 1000 / CPU ms per check, i.e. CPU-bound ceiling): ` +
      results
        .map((r) => `${r.name} ${(1000 / ((r.nodeCpuMs + r.chromiumCpuMs) / r.n)).toFixed(1)}`)
        .join('; '),
  );
  const browser = results[1];
  console.log(
    `browser path vs baseline: ${(browser.n / browser.wallMs / (base.n / base.wallMs)).toFixed(1)}x the checks/s; ` +
      `Chromium CPU per JS render ${(browser.chromiumCpuMs / browser.n).toFixed(0)} ms`,
  );
  console.log(`browser pool after the run: ${JSON.stringify(poolStatus)}`);
  if (JSON_OUTPUT) {
    for (const r of results) {
      console.log(
        JSON.stringify({
          path: r.path,
          checks: r.n,
          checksPerSecond: Number((r.n / (r.wallMs / 1000)).toFixed(3)),
          cpuMsPerCheck: Number(((r.nodeCpuMs + r.chromiumCpuMs) / r.n).toFixed(1)),
          peakMemoryMb: Math.round(r.peakNodeRssMb + r.peakChromiumMb),
        }),
      );
    }
  }
}
