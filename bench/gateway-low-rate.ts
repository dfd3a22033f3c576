/**
 * The gateway at a low request rate: one request at a time on one keep-alive connection, with a
 * pause between requests, on the embedded stack (as bench/http-adapter.ts):
 *
 *   npx nest build gateway && npx tsx bench/gateway-low-rate.ts
 *   LOW_RATE_PATH=/health/live   another path (default: the authenticated list of 20 jobs)
 *   LOW_RATE_GAPS=200,25,0       pauses between requests, in ms, one phase of 8 s each
 *   LOW_RATE_NODE_ARGS="..."     Node flags for the gateway (e.g. --cpu-prof --cpu-prof-dir=/tmp/p)
 *
 * Prints latency and the gateway's CPU per request for each pause. Read it beside
 * bench/machine-memory.ts, which measures a bare Node server the same way: on this VM a request
 * after a pause costs many times the CPU of one served back to back, because memory left alone
 * for a few hundred ms is slow to touch again (docs/PERFORMANCE.md, "A request after a pause").
 */
import http from 'node:http';
import { startGatewayStack, procCpuMs } from './support/gateway-stack';
import { benchHeader } from './support/machine';

const PATH = process.env.LOW_RATE_PATH ?? '/api/v1/jobs?limit=20';
const GAPS = (process.env.LOW_RATE_GAPS ?? '200,25,0').split(',').map(Number);
const PHASE_MS = 8_000;

async function main(): Promise<void> {
  console.log(await benchHeader('bench/gateway-low-rate', `GET ${PATH}, pauses ${GAPS} ms`));
  const stack = await startGatewayStack({
    users: 1,
    jobsPerUser: 20,
    nodeArgs: (process.env.LOW_RATE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${stack.base}${PATH}`);
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get(url, { agent, headers: { authorization: `Bearer ${stack.tokens[0]}` } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${PATH}: ${res.statusCode}`));
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  const rows: Record<string, string | number>[] = [];
  try {
    for (let i = 0; i < 200; i++) await get();
    for (const gapMs of GAPS) {
      const latencies: number[] = [];
      const cpu0 = procCpuMs(stack.pid);
      const started = performance.now();
      while (performance.now() - started < PHASE_MS) {
        latencies.push(await get());
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      const cpu = procCpuMs(stack.pid) - cpu0;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.floor(p * (latencies.length - 1))].toFixed(2);
      rows.push({
        'pause between requests': gapMs ? `${gapMs} ms` : 'none',
        requests: latencies.length,
        'p50 ms': q(0.5),
        'p99 ms': q(0.99),
        'gateway CPU ms/req': (cpu / latencies.length).toFixed(2),
        'gateway CPU %': ((cpu / PHASE_MS) * 100).toFixed(1),
      });
    }
  } finally {
    agent.destroy();
    await stack.stop();
  }
  console.table(rows);
}

void main();
