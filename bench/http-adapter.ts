/**
 * The API under load (1,000 connections by default; the hot-path goals use 100), measured with
 * autocannon on 127.0.0.1, with the gateway process CPU per request:
 *
 *   npx nest build gateway && npm run bench:http     (= npx tsx bench/http-adapter.ts)
 *   HTTP_BENCH_SECONDS=10 HTTP_BENCH_CONNECTIONS=1000 npm run bench:http
 *   HTTP_BENCH_TARGETS=live,list     only some targets (raw, live, list by default; list-replay)
 *
 * Targets, one after the other, each warmed up for 2 s and then loaded for HTTP_BENCH_SECONDS:
 *   fastify-raw       bare Fastify 5 (the version @nestjs/platform-fastify brings), one route
 *                     returning {"status":"ok"}: the ceiling of the adapter on this machine
 *   gateway /health/live
 *                     the real gateway bundle (dist/apps/gateway/main.js, NODE_ENV=production,
 *                     JSON logs to /dev/null): Nest + Fastify + every global hook (request id,
 *                     logging, metrics, tracing, validation), no I/O
 *   gateway /api/v1/jobs?limit=20 (bearer)
 *                     the same, authenticated (JWT verify, user lookup if any), one DynamoDB
 *                     Query returning 20 jobs from dynalite
 *   gateway /api/v1/jobs?limit=20 (bearer, DynamoDB replayed)    only when asked (list-replay)
 *                     the same against a second stack whose DynamoDB answers come from
 *                     bench/support/dynamo-replay.ts: the gateway's own ceiling on this machine,
 *                     apart from dynalite's CPU (a diagnostic, not the goal's setup)
 *
 * The list rows also give the CPU of the process answering the gateway's DynamoDB calls.
 *
 * The gateway runs against the embedded stack (embedded Postgres, dynalite, local-aws-sqs), which
 * this script starts on free ports and removes afterwards. Note: autocannon and local-aws-sqs run
 * in this process and dynalite in a child process, all on the same 2 cores as the server.
 *
 * Express could not be measured: @nestjs/platform-express is not installed (see bench/README.md).
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import {
  GATEWAY_BUNDLE,
  exited,
  gatewayLag,
  spawnNode,
  startGatewayStack,
  waitFor,
  type GatewayStack,
} from './support/gateway-stack';
import { findFreePort } from '../tools/local-stack/services';
import { benchHeader } from './support/machine';
import { procCpuMs, procStatusKb } from './support/proc';

// autocannon ships no types; the part of its programmatic API used here.
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  timeout?: number;
}
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (
  opts: AutocannonOptions,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => { on(event: 'tick', fn: (c: { counter: number }) => void): void };
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS) || 10;
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS) || 1000;
const TARGETS = new Set((process.env.HTTP_BENCH_TARGETS ?? 'raw,live,list').split(','));

interface Row {
  target: string;
  'req/s': string;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  '2xx': number;
  'non-2xx': number;
  errors: number;
  timeouts: number;
  'server RSS peak MB': string;
  'server CPU %': string;
  'server CPU ms/req': string;
  'server event-loop delay p99/max ms': string;
  /** CPU of the process answering the gateway's DynamoDB calls (dynalite, or the replay). */
  'dynamo CPU %': string;
  'dynamo CPU ms/req': string;
  load: string;
  statuses: string;
}

function run(opts: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    if (process.env.HTTP_BENCH_DEBUG)
      inst.on('tick', (c) => process.stderr.write(`tick ${JSON.stringify(c)}\n`));
  });
}

async function load(
  target: string,
  pid: number,
  url: string,
  headers: Record<string, string> = {},
  dynamoPid?: number,
): Promise<Row> {
  process.stderr.write(`loading ${target} ...\n`);
  // Warm-up: JIT, connection setup, pools.
  await run({ url, connections: Math.min(CONNECTIONS, 100), duration: 2, headers });
  const base = new URL(url).origin;
  await gatewayLag(base); // resets the gateway's event-loop delay histogram
  const cpu0 = procCpuMs(pid);
  const dynamoCpu0 = dynamoPid ? procCpuMs(dynamoPid) : 0;
  const t0 = performance.now();
  const r = await run({ url, connections: CONNECTIONS, duration: SECONDS, headers, timeout: 30 });
  const wallMs = performance.now() - t0;
  const cpuMs = procCpuMs(pid) - cpu0;
  const dynamoCpuMs = dynamoPid ? procCpuMs(dynamoPid) - dynamoCpu0 : NaN;
  const lag = await gatewayLag(base);
  const cpuPct = (cpuMs / wallMs) * 100;
  // Every answered request, whatever its status: the server spent its CPU on each of them.
  const answered = r['2xx'] + r.non2xx;
  return {
    target,
    'req/s': r.requests.average.toFixed(0),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    'max ms': r.latency.max,
    '2xx': r['2xx'],
    'non-2xx': r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    'server RSS peak MB': (procStatusKb(pid, 'VmHWM') / 1024).toFixed(0),
    'server CPU %': cpuPct.toFixed(0),
    'server CPU ms/req': (cpuMs / Math.max(1, answered)).toFixed(3),
    'server event-loop delay p99/max ms': lag,
    'dynamo CPU %': dynamoPid ? ((dynamoCpuMs / wallMs) * 100).toFixed(0) : '-',
    'dynamo CPU ms/req': dynamoPid ? (dynamoCpuMs / Math.max(1, answered)).toFixed(3) : '-',
    load: os.loadavg()[0].toFixed(1),
    statuses: Object.entries(r.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}:${count}`)
      .join(' '),
  };
}

const FASTIFY_RAW = `
const fastify = require(require.resolve('fastify', { paths: [require.resolve('@nestjs/platform-fastify')] }))({ logger: false });
fastify.get('/health/live', async () => ({ status: 'ok' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

async function loadRawFastify(rows: Row[]): Promise<void> {
  const rawPort = await findFreePort();
  const raw = spawnNode(['-e', FASTIFY_RAW], { ...process.env, PORT: String(rawPort) });
  await waitFor(`http://127.0.0.1:${rawPort}/health/live`);
  rows.push(
    await load('fastify-raw GET /health/live', raw.pid!, `http://127.0.0.1:${rawPort}/health/live`),
  );
  raw.kill('SIGTERM');
  await exited(raw);
}

async function startStack(replayDynamo: boolean): Promise<GatewayStack> {
  const stack = await startGatewayStack({
    users: 1,
    jobsPerUser: 20,
    replayDynamo,
    nodeArgs: (process.env.HTTP_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    env: {
      // The cost of serving is measured here, not shedding: on a machine shared with other
      // work the time bounds (event-loop delay, queue time) can trip and answer cheap 503s,
      // which would flatter the CPU per request. The in-flight bound (1,024 by default) stays,
      // above the default 1,000 connections.
      SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      SHED_MAX_QUEUE_TIME_MS: '0',
      ...(process.env.HTTP_BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.HTTP_BENCH_LOG_LEVEL } : {}),
    },
  });
  const list = await fetch(`${stack.base}/api/v1/jobs?limit=20`, {
    headers: { authorization: `Bearer ${stack.tokens[0]}` },
  });
  const listed = ((await list.json()) as { jobs: unknown[] }).jobs.length;
  console.log(
    `gateway ${GATEWAY_BUNDLE} up (pid ${stack.pid}); GET /jobs?limit=20 returns ${listed} jobs` +
      (replayDynamo ? ' (DynamoDB replayed)' : ''),
  );
  return stack;
}

function loadList(target: string, stack: GatewayStack): Promise<Row> {
  return load(
    target,
    stack.pid,
    `${stack.base}/api/v1/jobs?limit=20`,
    { authorization: `Bearer ${stack.tokens[0]}` },
    stack.dynamoPid,
  );
}

async function main(): Promise<void> {
  console.log(
    await benchHeader('bench/http-adapter', `${CONNECTIONS} connections, ${SECONDS} s per target`),
  );
  const rows: Row[] = [];
  let stack: GatewayStack | undefined;
  try {
    // 1. Bare Fastify.
    if (TARGETS.has('raw')) await loadRawFastify(rows);

    // 2. The real gateway on the embedded stack. e.g. HTTP_BENCH_NODE_ARGS="--cpu-prof
    // --cpu-prof-dir=/tmp/prof" to profile it; HTTP_BENCH_LOG_LEVEL=silent to take logging out.
    if (TARGETS.has('live') || TARGETS.has('list')) {
      stack = await startStack(false);
      if (TARGETS.has('live')) {
        rows.push(await load('gateway GET /health/live', stack.pid, `${stack.base}/health/live`));
      }
      if (TARGETS.has('list')) {
        rows.push(await loadList('gateway GET /api/v1/jobs?limit=20 (bearer)', stack));
      }
      await stack.stop();
      stack = undefined;
    }
    // 3. The same list with DynamoDB's answers replayed (a diagnostic).
    if (TARGETS.has('list-replay')) {
      stack = await startStack(true);
      rows.push(
        await loadList('gateway GET /api/v1/jobs?limit=20 (bearer, DynamoDB replayed)', stack),
      );
    }
    console.table(rows);
    for (const r of rows) console.log(JSON.stringify(r));
  } finally {
    process.stderr.write('cleaning up ...\n');
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
