/**
 * Two gateway builds compared under the same machine load: both run side by side on one embedded
 * stack (same PostgreSQL, dynalite, user and jobs), and autocannon loads them in turn, in short
 * alternating slices, so whatever else the machine is doing weighs on both alike. Prints the
 * gateway CPU per request of each (the figure to trust on a shared machine), summed over all
 * slices, and the median of the slices.
 *
 *   npx nest build gateway
 *   AB_BASE=<old bundle> npx tsx bench/gateway-ab.ts
 *       [AB_NEW=dist/apps/gateway/main.js] [AB_PATH=/api/v1/jobs?limit=20] [AB_ROUNDS=8]
 *       [AB_SLICE_SECONDS=4] [AB_CONNECTIONS=100]
 *       [AB_BASE_NODE_ARGS="..."] [AB_NEW_NODE_ARGS="..."]
 *
 * With AB_BASE_NODE_ARGS or AB_NEW_NODE_ARGS, AB_BASE may be left out: the same bundle then runs
 * twice, with different Node/V8 flags (e.g. AB_NEW_NODE_ARGS=--max-semi-space-size=4).
 *
 * A base bundle is built from another commit in a scratch worktree, e.g.
 *   git worktree add /tmp/pw-base <commit> && (cd /tmp/pw-base && npm ci && npx nest build gateway)
 *   cp /tmp/pw-base/dist/apps/gateway/main.js .cache/gateway-base/main.js
 * (keep it inside this checkout, e.g. under .cache/, so it resolves this checkout's node_modules).
 */
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, startGatewayStack, type GatewayStack } from './support/gateway-stack';
import { benchHeader } from './support/machine';
import { median, procCpuSplitMs } from './support/proc';

interface AutocannonResult {
  '2xx': number;
  non2xx: number;
  latency: { p50: number; p99: number };
}
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => unknown;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const NEW = process.env.AB_NEW ?? path.join(ROOT, 'dist/apps/gateway/main.js');
const flags = (v: string | undefined) => (v ?? '').split(' ').filter(Boolean);
const BASE_ARGS = flags(process.env.AB_BASE_NODE_ARGS);
const NEW_ARGS = flags(process.env.AB_NEW_NODE_ARGS);
const BASE = process.env.AB_BASE ?? (BASE_ARGS.length + NEW_ARGS.length > 0 ? NEW : undefined);
const PATH = process.env.AB_PATH ?? '/api/v1/jobs?limit=20';
const ROUNDS = Number(process.env.AB_ROUNDS) || 8;
const SLICE = Number(process.env.AB_SLICE_SECONDS) || 4;
const CONNECTIONS = Number(process.env.AB_CONNECTIONS) || 100;

function run(url: string, headers: Record<string, string>, seconds: number) {
  return new Promise<AutocannonResult>((resolve, reject) =>
    autocannon(
      { url, headers, connections: CONNECTIONS, duration: seconds, timeout: 30 },
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
}

async function main(): Promise<void> {
  if (!BASE) {
    console.error('AB_BASE=<gateway bundle to compare with> (or AB_*_NODE_ARGS) is required');
    process.exit(2);
  }
  console.log(
    await benchHeader(
      'bench/gateway-ab',
      `GET ${PATH}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SLICE} s per build`,
    ),
  );
  let stack: GatewayStack | undefined;
  try {
    stack = await startGatewayStack({
      users: 1,
      jobsPerUser: 20,
      bundles: [BASE, NEW],
      bundleNodeArgs: [BASE_ARGS, NEW_ARGS],
      // The cost of serving is compared, not shedding (see bench/http-adapter.ts).
      env: {
        SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
        SHED_MAX_QUEUE_TIME_MS: '0',
        LOG_LEVEL: process.env.AB_LOG_LEVEL ?? 'info',
      },
    });
    const headers = { authorization: `Bearer ${stack.tokens[0]}` };
    const sums = stack.gateways.map(() => ({
      cpuMs: 0,
      sysMs: 0,
      answered: 0,
      ok: 0,
      slices: [] as number[],
      p99: [] as number[],
    }));
    for (const g of stack.gateways) await run(`${g.base}${PATH}`, headers, 2); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so neither always follows the other.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const g = stack.gateways[i];
        const cpu0 = procCpuSplitMs(g.pid);
        const res = await run(`${g.base}${PATH}`, headers, SLICE);
        const cpu1 = procCpuSplitMs(g.pid);
        const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
        sums[i].sysMs += cpu1.system - cpu0.system;
        const answered = res['2xx'] + res.non2xx;
        sums[i].cpuMs += cpu;
        sums[i].answered += answered;
        sums[i].ok += res['2xx'];
        sums[i].slices.push(cpu / Math.max(1, answered));
        sums[i].p99.push(res.latency.p99);
      }
      process.stderr.write(`round ${r + 1}/${ROUNDS}, load ${os.loadavg()[0].toFixed(1)}\n`);
    }
    const rows = stack.gateways.map((g, i) => ({
      build:
        `${i === 0 ? 'base' : 'new'} ${path.relative(ROOT, g.bundle)} ${(i === 0 ? BASE_ARGS : NEW_ARGS).join(' ')}`.trim(),
      'CPU ms/req (all slices)': (sums[i].cpuMs / Math.max(1, sums[i].answered)).toFixed(3),
      'CPU ms/req (median slice)': median(sums[i].slices).toFixed(3),
      'of which kernel': `${((sums[i].sysMs / Math.max(1, sums[i].cpuMs)) * 100).toFixed(0)}%`,
      'req/s': (sums[i].answered / (ROUNDS * SLICE)).toFixed(0),
      'non-2xx': sums[i].answered - sums[i].ok,
      'p99 ms (median slice)': median(sums[i].p99),
    }));
    console.table(rows);
    for (const r of rows) console.log(JSON.stringify(r));
    console.log(
      `load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
