/**
 * A/B of two BrowserPool builds in one run, for measuring one change at a time on a shared
 * machine (where wall time means little and runs minutes apart are not comparable):
 *
 *   npx tsx bench/browser-ab.ts                       (A = B = this tree: the noise floor)
 *   AB_A=.cache/levers/before AB_B=apps/scraper-worker/src/fetching npx tsx bench/browser-ab.ts
 *   AB_A_ARGS='--disable-gpu' AB_B_ARGS='--disable-gpu --single-process' npx tsx bench/browser-ab.ts
 *
 * AB_A / AB_B: a directory holding a copy of apps/scraper-worker/src/fetching (e.g. the tree
 * before a change: `git show`/`cp -r` it under .cache/, which git ignores); AB_A_ARGS / AB_B_ARGS:
 * extra Chromium switches (BrowserPoolOptions.extraArgs; a build without that option ignores them).
 * Each variant keeps its own pool (AB_PAGES pages, default 4) and renders the fixture shop's
 * JS-rendered page as the worker does (isComplete = the extractor finds a price). Rounds
 * alternate A and B (AB_ROUNDS rounds of AB_RENDERS renders each, AB_PAGES at a time), so
 * machine load falls on both alike. Chromium CPU is read from /proc for each browser's own
 * process tree (live processes plus reaped children), Node CPU around each batch (the egress
 * proxy runs in Node). Memory: peak Chromium PSS of each tree, and Node RSS (shared).
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EgressAllowList } from '@app/jobs-domain';
import { extractProduct } from '@app/extraction';
import { benchHeader } from './support/machine';

const env = process.env;
const int = (name: string, dflt: number) => Number.parseInt(env[name] ?? '', 10) || dflt;
const ROUNDS = int('AB_ROUNDS', 4);
const RENDERS = int('AB_RENDERS', 12);
const PAGES = int('AB_PAGES', 4);
const TICK_MS = 10;

interface Stat {
  pid: number;
  ppid: number;
  ticks: number;
}

function stats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      // f[0] is field 3; utime..cstime are fields 14..17.
      out.push({
        pid: Number(name),
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      });
    } catch {
      /* gone */
    }
  }
  return out;
}

function tree(root: number, all: Stat[]): Stat[] {
  const byParent = new Map<number, Stat[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const out = all.filter((s) => s.pid === root);
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i].pid) ?? []));
  return out;
}

function treeCpuMs(root: number): number {
  return tree(root, stats()).reduce((sum, s) => sum + s.ticks, 0) * TICK_MS;
}

function treePssMb(root: number): number {
  let kb = 0;
  for (const s of tree(root, stats())) {
    try {
      kb += Number(
        /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${s.pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0,
      );
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

interface PoolLike {
  render(
    url: string,
    signal?: AbortSignal,
    o?: { isComplete?: (html: string) => boolean },
  ): Promise<{ html: string }>;
  status(): { pid?: number; launches: number };
  close(): Promise<void>;
}

interface Variant {
  name: string;
  dir: string;
  args: string[];
  pool: PoolLike;
  exe: string;
  renders: number;
  chromiumMs: number;
  nodeMs: number;
  failures: number;
  peakPssMb: number;
  launches: number;
}

async function makeVariant(
  name: string,
  dir: string,
  args: string[],
  hostPort: string,
  exe?: string,
): Promise<Variant> {
  const mod = (await import(path.resolve(dir, 'index.ts'))) as {
    BrowserPool: new (guard: unknown, o: Record<string, unknown>) => PoolLike;
    EgressGuard: new (a: EgressAllowList) => unknown;
  };
  const pool = new mod.BrowserPool(new mod.EgressGuard(new EgressAllowList([hostPort])), {
    ...(exe ? { executablePath: exe } : {}),
    maxPages: PAGES,
    pageTimeoutMs: 30_000,
    recycleAfterPages: 100_000,
    userAgent: 'Mozilla/5.0 (pricewatch bench)',
    acceptLanguage: 'en-US,en;q=0.9',
    extraArgs: args,
  });
  return {
    name,
    dir,
    args,
    pool,
    exe: exe ?? 'default executable',
    renders: 0,
    chromiumMs: 0,
    nodeMs: 0,
    failures: 0,
    peakPssMb: 0,
    launches: 0,
  };
}

/** AB_PROCS=1: CPU (own, live processes) and PSS of a browser's processes by --type. */
function byType(root: number): string {
  const out = new Map<string, { ms: number; pss: number; n: number }>();
  for (const s of tree(root, stats())) {
    let type = 'browser';
    let pss = 0;
    try {
      const cmd = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8');
      type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? (/crashpad/.test(cmd) ? 'crashpad' : 'browser');
      if (type === 'utility') type += `:${/--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? ''}`;
      if (/--type=zygote/.test(cmd) && /--no-zygote-sandbox/.test(cmd)) type += '-nosb';
      pss = Number(
        /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${s.pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0,
      );
    } catch {
      /* gone */
    }
    const e = out.get(type) ?? { ms: 0, pss: 0, n: 0 };
    e.ms += s.ticks * TICK_MS;
    e.pss += pss / 1024;
    e.n++;
    out.set(type, e);
  }
  return [...out].map(([t, e]) => `${t}x${e.n}=${e.ms}ms/${e.pss.toFixed(0)}MB`).join(' ');
}

async function batch(v: Variant, url: string, n: number, measure: boolean): Promise<void> {
  const isComplete = (html: string) => extractProduct(html, { url }).price !== null;
  const pid0 = v.pool.status().pid;
  const c0 = pid0 ? treeCpuMs(pid0) : 0;
  const n0 = process.cpuUsage();
  let next = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const pid = v.pool.status().pid;
      if (pid && measure) v.peakPssMb = Math.max(v.peakPssMb, treePssMb(pid));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await Promise.all(
    Array.from({ length: PAGES }, async () => {
      while (next < n) {
        next++;
        const page = await v.pool.render(url, undefined, { isComplete }).catch(() => null);
        if (!page || extractProduct(page.html, { url }).price === null) v.failures++;
      }
    }),
  );
  sampling = false;
  await sampler;
  if (!measure) return;
  const nodeCpu = process.cpuUsage(n0);
  const pid1 = v.pool.status().pid;
  if (!pid0 || pid0 !== pid1) {
    console.warn(`  ${v.name}: the browser was replaced during the batch; batch not counted`);
    return;
  }
  v.chromiumMs += treeCpuMs(pid1) - c0;
  v.nodeMs += (nodeCpu.user + nodeCpu.system) / 1000;
  v.renders += n;
}

async function main(): Promise<void> {
  const shop = fork(path.join(__dirname, 'scrape.ts'), ['--shop'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { baseUrl, hostPort } = await new Promise<{ baseUrl: string; hostPort: string }>(
    (resolve) => shop.once('message', (m: { baseUrl: string; hostPort: string }) => resolve(m)),
  );
  const url = `${baseUrl}/p/js-rendered`;
  const split = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);
  const here = 'apps/scraper-worker/src/fetching';
  const variants = [
    await makeVariant('A', env.AB_A ?? here, split(env.AB_A_ARGS), hostPort, env.AB_A_EXE),
    await makeVariant('B', env.AB_B ?? here, split(env.AB_B_ARGS), hostPort, env.AB_B_EXE),
  ];
  console.log(
    await benchHeader(
      'bench/browser-ab',
      `${ROUNDS} rounds x ${RENDERS} renders x 2 variants, ${PAGES} pages at a time`,
    ),
  );
  for (const v of variants) console.log(`  ${v.name}: ${v.dir} ${v.args.join(' ')} (${v.exe})`);
  // Warm-up: launch, JIT, one render per page.
  for (const v of variants) await batch(v, url, PAGES * 2, false);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) await batch(v, url, RENDERS, true);
  }
  const loadEnd = os.loadavg()[0];
  if (env.AB_PROCS) {
    for (const v of variants) {
      const pid = v.pool.status().pid;
      if (pid) console.log(`  ${v.name} by process (cumulative CPU incl. warm-up): ${byType(pid)}`);
    }
  }
  for (const v of variants) {
    v.launches = v.pool.status().launches;
    await v.pool.close();
  }
  shop.disconnect();
  for (const v of variants) {
    console.log(
      `  ${v.name}: ${v.renders} renders, Chromium ${(v.chromiumMs / v.renders).toFixed(0)} ms/render, ` +
        `Node ${(v.nodeMs / v.renders).toFixed(0)} ms/render, peak Chromium PSS ${v.peakPssMb.toFixed(0)} MB, ` +
        `failures ${v.failures}, launches ${v.launches}`,
    );
  }
  console.log(
    `  load at end ${loadEnd.toFixed(1)}; Node RSS ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`,
  );
  console.log(
    JSON.stringify(
      Object.fromEntries(
        variants.map((v) => [
          v.name,
          {
            chromiumMsPerRender: Math.round(v.chromiumMs / v.renders),
            nodeMsPerRender: Math.round(v.nodeMs / v.renders),
            peakChromiumPssMb: Math.round(v.peakPssMb),
          },
        ]),
      ),
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
