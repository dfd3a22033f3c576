/**
 * How this machine's memory behaves after a pause, so that a benchmark run records the state
 * it ran in. On the Firecracker VM these benchmarks run on, the first touch of a page that sat
 * unused for a few hundred milliseconds costs microseconds, not nanoseconds; the guest kernel
 * counts no page fault for it, so the cost is on the host's side, and its size changes from hour
 * to hour. A process that serves a request after a pause touches hundreds of pages: that, and not
 * our code, is most of the cost of a request at a low rate (bench/machine-memory.ts,
 * docs/PERFORMANCE.md, "A request after a pause").
 */

import http from 'node:http';
import os from 'node:os';
import { median, runTimeMs } from './proc';

const PAGE = 4096;

/** A buffer of `pages` pages, each touched once so that it is mapped. */
function mapped(pages: number): Int32Array {
  const a = new Int32Array((pages * PAGE) / 4);
  for (let i = 0; i < a.length; i += PAGE / 4) a[i] = i;
  return a;
}

/** Reads one word of every page of `a`; returns the time it took in ms. */
function touchPages(a: Int32Array): number {
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < a.length; i += PAGE / 4) sum += a[i];
  const took = performance.now() - started;
  // Keep the reads observable so that they cannot be dropped.
  if (sum === -1) process.stdout.write('');
  return took;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Microseconds per page for touching 16 MB (4,096 pages) again after `idleMs` of sleep, median of
 * `rounds` rounds. With idleMs 0 the pages are hot (the previous round just touched them).
 */
export async function pageTouchMicros(idleMs: number, rounds = 5): Promise<number> {
  const a = mapped(4096);
  for (let i = 0; i < 5; i++) touchPages(a);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await (idleMs > 0 ? sleep(idleMs) : new Promise((r2) => setImmediate(r2)));
    times.push(touchPages(a));
  }
  return (median(times) * 1000) / 4096;
}

/** One line for a benchmark's header: the cost of a page touched hot and after 200 ms idle. */
export async function memoryStateLine(): Promise<string> {
  const hot = await pageTouchMicros(0);
  const idle = await pageTouchMicros(200, 3);
  return (
    `machine memory: a page touched hot ${hot.toFixed(3)} µs, after 200 ms idle ` +
    `${idle.toFixed(1)} µs (bench/machine-memory.ts)`
  );
}

/**
 * The first lines of a benchmark's output: its name, the date, Node, the CPUs and the load,
 * then the benchmark's own settings, then the state of the machine's memory (memoryStateLine).
 */
export async function benchHeader(name: string, settings: string): Promise<string> {
  const cpus = os.cpus();
  return (
    `pricewatch ${name} — ${new Date().toISOString()} — Node ${process.version}, ` +
    `${cpus.length} x ${cpus[0]?.model.trim() ?? 'CPU'}, load ${os.loadavg()[0].toFixed(1)}; ` +
    `${settings}\n${await memoryStateLine()}`
  );
}

/**
 * One GET at a time on one keep-alive connection, with `gapsMs[i]` between requests for
 * `phaseMs` in phase i: each phase's latency (p50, p99) and the server's CPU per request, from
 * `runTimeMs(serverPid)`. Anything but a 200 fails the run.
 */
export async function pacedPhases(options: {
  url: string;
  headers?: Record<string, string>;
  serverPid: number;
  gapsMs: number[];
  phaseMs: number;
  warmUpRequests: number;
}): Promise<Record<string, string | number>[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get(options.url, { agent, headers: options.headers }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${options.url}: ${res.statusCode}`));
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  const rows: Record<string, string | number>[] = [];
  try {
    for (let i = 0; i < options.warmUpRequests; i++) await get();
    for (const gapMs of options.gapsMs) {
      const latencies: number[] = [];
      const cpu0 = runTimeMs(options.serverPid);
      const started = performance.now();
      while (performance.now() - started < options.phaseMs) {
        latencies.push(await get());
        if (gapMs) await sleep(gapMs);
      }
      const cpu = runTimeMs(options.serverPid) - cpu0;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.floor(p * (latencies.length - 1))].toFixed(2);
      rows.push({
        'pause between requests': gapMs ? `${gapMs} ms` : 'none',
        requests: latencies.length,
        'p50 ms': q(0.5),
        'p99 ms': q(0.99),
        'server CPU ms/req': (cpu / latencies.length).toFixed(3),
        'server CPU %': ((cpu / options.phaseMs) * 100).toFixed(1),
      });
    }
  } finally {
    agent.destroy();
  }
  return rows;
}
