/**
 * The real gateway bundle on the embedded stack, for the HTTP benchmarks (bench/http-adapter.ts,
 * bench/k6/run.ts): embedded PostgreSQL, dynalite (in a child process) and local-aws-sqs on free loopback ports, the
 * migration, `node dist/apps/gateway/main.js` with NODE_ENV=production and its logs discarded,
 * and a signed-in user who owns some jobs. One place, so every HTTP figure is taken against the
 * same setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  LOCAL_AWS_CREDENTIALS,
  findFreePort,
  findFreePorts,
  provision,
  startPostgres,
  startSqs,
} from '../../tools/local-stack/services';

export const ROOT = path.resolve(__dirname, '../..');
/** GATEWAY_BUNDLE=<path> measures another build (e.g. the previous commit's) in the same run. */
export const GATEWAY_BUNDLE =
  process.env.GATEWAY_BUNDLE ?? path.join(ROOT, 'dist/apps/gateway/main.js');

export interface GatewayStack {
  base: string;
  pid: number;
  /** Every gateway started, the first being `base`/`pid` (see GatewayStackOptions.bundles). */
  gateways: { bundle: string; base: string; pid: number }[];
  /** The process answering the gateway's DynamoDB calls: dynalite, or the replaying front. */
  dynamoPid: number;
  /** Bearer tokens of the seeded users, one per user. */
  tokens: string[];
  stop(): Promise<void>;
}

export interface GatewayStackOptions {
  /** Users to sign up (each gets its own token). */
  users?: number;
  /** Jobs created for each user. */
  jobsPerUser?: number;
  /** Extra environment for the gateway (e.g. load-shedding bounds). */
  env?: Record<string, string>;
  /** Node flags for the gateway (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** More Node flags per gateway, by its index in `bundles` (an A/B of V8 settings). */
  bundleNodeArgs?: string[][];
  /**
   * Gateway bundles to start side by side on the same stack, each on its own port (default: only
   * GATEWAY_BUNDLE): an A/B comparison under the same machine load (bench/gateway-ab.ts).
   */
  bundles?: string[];
  /**
   * Put bench/support/dynamo-replay.ts between the gateway and dynalite: repeated Queries are
   * answered from a record, so the gateway is measured against a DynamoDB that costs this
   * machine next to nothing (a diagnostic; the goals are measured against dynalite).
   */
  replayDynamo?: boolean;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
    else child.once('exit', (code) => r(code));
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
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

/**
 * dynalite on 127.0.0.1:`port`, in memory, in a process of its own: in the benchmark's process it
 * would share an event loop with the load generator (autocannon, the k6 executor's parent) or the
 * client being measured, and its CPU would be counted as theirs. Tables are active at once, as
 * tools/local-stack's startDynalite. Wait for it with waitForPort; kill it when done.
 * BENCH_DYNALITE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles it.
 */
export function spawnDynalite(port: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...(process.env.BENCH_DYNALITE_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '-e',
      // Exits on SIGTERM rather than dying by it, so that --cpu-prof writes its profile.
      `process.on('SIGTERM', () => process.exit(0));` +
        `require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })` +
        `.listen(${port}, '127.0.0.1')`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** The gateway's event-loop delay since the previous scrape, "p99/max" in ms, from its /metrics. */
export async function gatewayLag(base: string): Promise<string> {
  try {
    const text = await (
      await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
    const read = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    const [p99, max] = [
      read('nodejs_eventloop_lag_p99_seconds'),
      read('nodejs_eventloop_lag_max_seconds'),
    ];
    return Number.isNaN(p99) ? 'n/a' : `${p99.toFixed(0)}/${max.toFixed(0)}`;
  } catch {
    return 'unavailable';
  }
}

export async function startGatewayStack(options: GatewayStackOptions = {}): Promise<GatewayStack> {
  const users = options.users ?? 1;
  const jobsPerUser = options.jobsPerUser ?? 20;
  const children: ChildProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-bench-gw-'));
  await fs.chmod(workDir, 0o755);
  let pgPid: number | undefined;

  const stop = async (): Promise<void> => {
    // dynalite's close waits for idle sockets; never leave Postgres running behind us.
    const guard = setTimeout(() => {
      if (pgPid) {
        try {
          process.kill(pgPid, 'SIGINT');
        } catch {
          /* already gone */
        }
      }
    }, 20_000);
    guard.unref();
    const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGTERM');
    const killer = setTimeout(() => live.forEach((c) => c.kill('SIGKILL')), 5_000);
    await Promise.all(live.map(exited));
    clearTimeout(killer);
    await Promise.allSettled(stops.map((s) => s()));
    clearTimeout(guard);
    await fs.rm(workDir, { recursive: true, force: true });
  };

  try {
    const bundles = options.bundles ?? [GATEWAY_BUNDLE];
    for (const b of bundles) {
      if (!existsSync(b)) throw new Error(`${b} is missing: run npx nest build gateway`);
    }
    const [pgPort, dynamoPort, sqsPort, ...gwPorts] = await findFreePorts(3 + bundles.length);
    const gwPort = gwPorts[0];
    process.stderr.write('starting postgres, dynalite, local-aws-sqs ...\n');
    const postgres = await startPostgres({
      dataDir: path.join(workDir, 'postgres'),
      port: pgPort,
      templateCacheDir: path.join(ROOT, '.cache'),
      ephemeral: true,
    });
    stops.push(postgres.stop);
    pgPid = postgres.pid;
    const region = 'us-east-1';
    const dynalite = spawnDynalite(dynamoPort);
    children.push(dynalite);
    const dynamodb = { endpoint: `http://127.0.0.1:${dynamoPort}` };
    const [, sqs] = await Promise.all([
      waitForPort(dynamoPort, 30_000),
      startSqs({ port: sqsPort, region }),
    ]);
    stops.push(sqs.stop);
    let dynamoPid = dynalite.pid!;
    let gatewayDynamo = dynamodb.endpoint;
    if (options.replayDynamo) {
      const replayPort = await findFreePort();
      const replay = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(__dirname, 'dynamo-replay.ts'),
          String(replayPort),
          String(dynamoPort),
        ],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      children.push(replay);
      await waitForPort(replayPort, 30_000);
      dynamoPid = replay.pid!;
      gatewayDynamo = `http://127.0.0.1:${replayPort}`;
    }
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
      AWS_ENDPOINT_URL_DYNAMODB: gatewayDynamo,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      JOBS_TABLE_NAME: tableName,
      CHECKS_QUEUE_URL: provisioned.queueUrl,
      EGRESS_ALLOW_HOSTS: '',
      SHUTDOWN_DRAIN_MS: '0',
      // Seeding signs up several users from one address in a few seconds.
      THROTTLE_AUTH_PER_IP_PER_MINUTE: String(Math.max(20, users * 4)),
      ...options.env,
    };
    process.stderr.write('migrating ...\n');
    const migrate = spawnNode([bundles[0], 'migrate'], env);
    if ((await exited(migrate)) !== 0) throw new Error('gateway migrate failed');
    const gateways: GatewayStack['gateways'] = [];
    for (const [i, bundle] of bundles.entries()) {
      const args = [...(options.nodeArgs ?? []), ...(options.bundleNodeArgs?.[i] ?? [])];
      const gw = spawnNode([...args, bundle], {
        ...env,
        PORT: String(gwPorts[i]),
      });
      children.push(gw);
      gateways.push({ bundle, base: `http://127.0.0.1:${gwPorts[i]}`, pid: gw.pid! });
    }
    // Ready, not only live: the database connects in the background after the start.
    for (const g of gateways) await waitFor(`${g.base}/health/ready`);
    const base = gateways[0].base;

    process.stderr.write(`gateway up: seeding ${users} user(s) x ${jobsPerUser} jobs ...\n`);
    const tokens: string[] = [];
    for (let u = 0; u < users; u++) {
      tokens.push(await seedUser(base, `bench-${Date.now()}-${u}@example.com`, jobsPerUser));
    }
    return { base, pid: gateways[0].pid, gateways, dynamoPid, tokens, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function seedUser(base: string, email: string, jobs: number): Promise<string> {
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
  if (!signin.ok) throw new Error(`signin: ${signin.status} ${await signin.text()}`);
  const { accessToken } = (await signin.json()) as { accessToken: string };
  for (let i = 0; i < jobs; i++) {
    const r = await post(
      '/jobs',
      { url: `https://shop.example.com/p/item-${i}`, targetPrice: '19.99', currency: 'USD' },
      accessToken,
    );
    if (!r.ok) throw new Error(`create job: ${r.status} ${await r.text()}`);
  }
  return accessToken;
}
