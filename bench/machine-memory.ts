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
import os from 'node:os';
import { spawn } from 'node:child_process';
import { benchHeader, pacedPhases, pageTouchMicros } from './support/machine';

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
  let rows: Record<string, string | number>[];
  try {
    rows = await pacedPhases({
      url: `http://127.0.0.1:${server.port}/`,
      serverPid: server.pid,
      gapsMs: [0, 25, 200],
      phaseMs: 5_000,
      warmUpRequests: 500,
    });
  } finally {
    server.stop();
  }
  process.stdout.write('\nbare node:http server, one request at a time:\n');
  console.table(rows);
  process.stdout.write(`load ${os.loadavg()[0].toFixed(1)}\n`);
}

void main();
