/**
 * The API under 1,000 concurrent connections, measured with autocannon on 127.0.0.1:
 *
 *   npx nest build gateway && npm run bench:http     (= npx tsx bench/http-adapter.ts)
 *   HTTP_BENCH_SECONDS=10 HTTP_BENCH_CONNECTIONS=1000 npm run bench:http
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
 *
 * The gateway runs against the embedded stack (embedded Postgres, dynalite, local-aws-sqs), which
 * this script starts on free ports and removes afterwards. Note: autocannon, dynalite and
 * local-aws-sqs run in this process, on the same 2 cores as the server under test.
 *
 * Express could not be measured: @nestjs/platform-express is not installed (see bench/README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  LOCAL_AWS_CREDENTIALS,
  findFreePorts,
  provision,
  startDynalite,
  startPostgres,
  startSqs,
  type LocalServiceHandle,
  type PostgresHandle,
} from '../tools/local-stack/services';

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
}
type Autocannon = (
  opts: AutocannonOptions,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => { on(event: 'tick', fn: (c: { counter: number }) => void): void };
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const ROOT = path.resolve(__dirname, '..');
const SECONDS = Number(process.env.HTTP_BENCH_SECONDS) || 10;
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS) || 1000;
const BUNDLE = path.join(ROOT, 'dist/apps/gateway/main.js');

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
  load: string;
}

function procStatus(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function procCpuMs(pid: number): number {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return 0;
  }
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
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
): Promise<Row> {
  process.stderr.write(`loading ${target} ...\n`);
  // Warm-up: JIT, connection setup, pools.
  await run({ url, connections: Math.min(CONNECTIONS, 100), duration: 2, headers });
  const cpu0 = procCpuMs(pid);
  const t0 = performance.now();
  const r = await run({ url, connections: CONNECTIONS, duration: SECONDS, headers, timeout: 30 });
  const cpuPct = ((procCpuMs(pid) - cpu0) / (performance.now() - t0)) * 100;
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
    'server RSS peak MB': (procStatus(pid, 'VmHWM') / 1024).toFixed(0),
    'server CPU %': cpuPct.toFixed(0),
    load: os.loadavg()[0].toFixed(1),
  };
}

function spawnNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null) r(child.exitCode);
    else child.once('exit', (code) => r(code));
  });
}

const FASTIFY_RAW = `
const fastify = require(require.resolve('fastify', { paths: [require.resolve('@nestjs/platform-fastify')] }))({ logger: false });
fastify.get('/health/live', async () => ({ status: 'ok' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npx nest build gateway`);
  const cpus = os.cpus();
  console.log(
    `pricewatch bench/http-adapter — ${new Date().toISOString()} — Node ${process.version}, ` +
      `${cpus.length} x ${cpus[0]?.model.trim()}; ${CONNECTIONS} connections, ${SECONDS} s per target`,
  );
  const children: ChildProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-bench-http-'));
  await fs.chmod(workDir, 0o755);
  const rows: Row[] = [];
  let pgPid: number | undefined;
  try {
    const [pgPort, dynamoPort, sqsPort, rawPort, gwPort] = await findFreePorts(5);

    // 1. Bare Fastify.
    const raw = spawnNode(['-e', FASTIFY_RAW], { ...process.env, PORT: String(rawPort) });
    children.push(raw);
    await waitFor(`http://127.0.0.1:${rawPort}/health/live`);
    rows.push(
      await load(
        'fastify-raw GET /health/live',
        raw.pid!,
        `http://127.0.0.1:${rawPort}/health/live`,
      ),
    );
    raw.kill('SIGTERM');
    await exited(raw);

    // 2. The embedded stack and the real gateway.
    process.stderr.write('starting postgres, dynalite, local-aws-sqs ...\n');
    const postgres: PostgresHandle = await startPostgres({
      dataDir: path.join(workDir, 'postgres'),
      port: pgPort,
      templateCacheDir: path.join(ROOT, '.cache'),
      ephemeral: true,
    });
    stops.push(postgres.stop);
    pgPid = postgres.pid;
    const region = 'us-east-1';
    const [dynamodb, sqs]: LocalServiceHandle[] = await Promise.all([
      startDynalite({ port: dynamoPort }),
      startSqs({ port: sqsPort, region }),
    ]);
    stops.push(dynamodb.stop, sqs.stop);
    const tableName = 'pricewatch-jobs';
    const provisioned = await provision({
      region,
      dynamoEndpoint: dynamodb.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName,
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(gwPort),
      HOST: '127.0.0.1',
      DATABASE_URL: postgres.url,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      JOBS_TABLE_NAME: tableName,
      CHECKS_QUEUE_URL: provisioned.queueUrl,
      EGRESS_ALLOW_HOSTS: '',
      SHUTDOWN_DRAIN_MS: '0',
    };
    process.stderr.write('migrating ...\n');
    const migrate = spawnNode([BUNDLE, 'migrate'], env);
    if ((await exited(migrate)) !== 0) throw new Error('gateway migrate failed');
    // e.g. HTTP_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway.
    const nodeArgs = (process.env.HTTP_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const gw = spawnNode([...nodeArgs, BUNDLE], env);
    children.push(gw);
    const base = `http://127.0.0.1:${gwPort}`;
    await waitFor(`${base}/health/live`);

    process.stderr.write('gateway up: creating a user and 20 jobs ...\n');
    const email = `bench-${Date.now()}@example.com`;
    const password = 'correct horse battery staple 42';
    const post = (p: string, body: unknown, token?: string) =>
      fetch(`${base}/api/v1${p}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const signup = await post('/signup', { email, password });
    if (!signup.ok) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
    const signin = await post('/signin', { email, password });
    const { accessToken } = (await signin.json()) as { accessToken: string };
    for (let i = 0; i < 20; i++) {
      const r = await post(
        '/jobs',
        { url: `https://shop.example.com/p/item-${i}`, targetPrice: '19.99', currency: 'USD' },
        accessToken,
      );
      if (!r.ok) throw new Error(`create job: ${r.status} ${await r.text()}`);
    }
    const list = await fetch(`${base}/api/v1/jobs?limit=20`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const listed = ((await list.json()) as { jobs: unknown[] }).jobs.length;
    console.log(`gateway up (pid ${gw.pid}); GET /jobs?limit=20 returns ${listed} jobs`);

    rows.push(await load('gateway GET /health/live', gw.pid!, `${base}/health/live`));
    rows.push(
      await load(
        'gateway GET /api/v1/jobs?limit=20 (bearer)',
        gw.pid!,
        `${base}/api/v1/jobs?limit=20`,
        {
          authorization: `Bearer ${accessToken}`,
        },
      ),
    );
    console.table(rows);
  } catch (err) {
    console.error(err);
    throw err;
  } finally {
    process.stderr.write('cleaning up ...\n');
    // dynalite's close waits for idle sockets; never leave Postgres running behind us.
    setTimeout(() => {
      if (pgPid) {
        try {
          process.kill(pgPid, 'SIGINT');
        } catch {
          /* already gone */
        }
      }
      process.exit(0);
    }, 20_000).unref();
    const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGTERM');
    const killer = setTimeout(() => live.forEach((c) => c.kill('SIGKILL')), 5_000);
    await Promise.all(live.map(exited));
    clearTimeout(killer);
    await Promise.allSettled(stops.map((stop) => stop()));
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
