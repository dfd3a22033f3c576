/**
 * What a pause costs on this machine, apart from any code of ours:
 *
 *   npx tsx bench/machine-memory.ts
 *
 * 1. Touching 16 MB of memory (one read per 4 KB page) that was touched a moment ago, and again
 *    after 20 ms, 200 ms and 1 s of sleep: microseconds per page.
 * 2. A bare Node HTTP server (no framework, a constant JSON body, in a child process) asked one
 *    request at a time on one keep-alive connection, back to back and with 25 ms and 200 ms
 *    between requests: latency and the server's CPU per request, from the kernel's exact
 *    per-thread run time (/proc/<pid>/task/<tid>/schedstat, not the 10 ms clock ticks).
 *
 * Why it exists: the gateway's CPU per request was ~0.5 ms at 1,400 req/s and ~6 ms at 40 req/s,
 * and the load scenario's 50 users waited longer than the stress's 1,000. Part 1 shows the cause
 * on this Firecracker VM: pages left alone for a few hundred ms cost microseconds each to touch
 * again, and a request after a pause touches hundreds of them. docs/PERFORMANCE.md has the runs.
 */
import http from 'node:http';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { benchHeader, pageTouchMicros } from './support/machine';

/** Exact run time of every thread of a process, in ms. */
function runTimeMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended between the listing and the read */
    }
  }
  return ns / 1e6;
}

const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"status":"ok"}');
});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function bareServer(): Promise<{ port: number; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('bare server exited')));
  });
  return { port, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  console.log(`${await benchHeader('bench/machine-memory', 'no settings')}\n`);

  const pages: Record<string, string>[] = [];
  for (const idleMs of [0, 20, 200, 1000]) {
    const us = await pageTouchMicros(idleMs, idleMs >= 1000 ? 3 : 7);
    pages.push({
      'idle before the touch': idleMs ? `${idleMs} ms` : 'none (hot)',
      'µs per 4 KB page': us.toFixed(3),
      'ms for 16 MB': ((us * 4096) / 1000).toFixed(2),
    });
  }
  console.table(pages);

  const server = await bareServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get({ host: '127.0.0.1', port: server.port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  const rows: Record<string, string | number>[] = [];
  try {
    for (let i = 0; i < 500; i++) await get();
    for (const gapMs of [0, 25, 200]) {
      const latencies: number[] = [];
      const cpu0 = runTimeMs(server.pid);
      const started = performance.now();
      while (performance.now() - started < 5_000) {
        latencies.push(await get());
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      const cpu = runTimeMs(server.pid) - cpu0;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.floor(p * (latencies.length - 1))].toFixed(2);
      rows.push({
        'pause between requests': gapMs ? `${gapMs} ms` : 'none',
        requests: latencies.length,
        'p50 ms': q(0.5),
        'p99 ms': q(0.99),
        'server CPU ms/req': (cpu / latencies.length).toFixed(3),
      });
    }
  } finally {
    agent.destroy();
    server.stop();
  }
  process.stdout.write('\nbare node:http server, one request at a time:\n');
  console.table(rows);
  process.stdout.write(`load ${os.loadavg()[0].toFixed(1)}\n`);
}

void main();
