/**
 * `npm start`: the whole of pricewatch on one machine, with no cloud account.
 *
 * Starts embedded PostgreSQL, dynalite (DynamoDB) and local-aws-sqs (SQS) on 127.0.0.1, creates
 * the jobs table and the checks queue with its DLQ, builds the apps (and the web app the gateway
 * serves at /) whose bundle is missing or older than their sources (tools/build/apps.ts: one
 * esbuild run for all of them, while the services start), runs the scraper worker and the
 * rescheduler loop, and the gateway once the database migrations are applied, each log line
 * prefixed with the app's name. Ctrl-C stops
 * everything in order (apps first, then the services) and keeps the data under the data dir.
 *
 * Environment (all optional):
 *   LOCAL_STACK_DATA_DIR         where data persists (default: <repo>/.data). Holds postgres/,
 *                                dynamodb/, jwt-secret (mode 0600) and the lock file that stops a
 *                                second `npm start` on the same data.
 *   LOCAL_STACK_CACHE_DIR        cache of an initialised Postgres cluster, copied for a new data
 *                                dir (default: <repo>/.cache)
 *   LOCAL_STACK_SKIP_BUILD       1: never build, run the bundles in dist/ as they are
 *   LOCAL_STACK_APPS             comma-separated apps to run (default: every app whose
 *                                apps/<app>/src/main.ts exists; "none" for the services only)
 *   LOCAL_STACK_SHUTDOWN_GRACE_SECONDS  how long apps get to stop after SIGTERM (default 20)
 *   LOCAL_PG_PORT                embedded PostgreSQL port (default 54329)
 *   LOCAL_DYNAMODB_PORT          dynalite port (default 8000)
 *   LOCAL_SQS_PORT               local-aws-sqs port (default 9324)
 *   PORT                         gateway port (default 3000)
 *   LOCAL_WORKER_PORT            scraper-worker port for /health and /metrics (default 3001)
 *   LOCAL_RESCHEDULER_PORT       rescheduler port for /health and /metrics (default 3002)
 *
 * Handed to the apps (a variable you set yourself wins, and replaces the embedded part):
 *   NODE_ENV=development
 *   DATABASE_URL                 set it to use your own PostgreSQL: the embedded one is not started
 *   JWT_SECRET                   default: generated once (48 random bytes, base64url) and kept in
 *                                <data dir>/jwt-secret
 *   AWS_REGION                   default us-east-1
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   default: dummy values (the local servers accept any)
 *   AWS_ENDPOINT_URL_DYNAMODB    set it to use another DynamoDB (dynalite is then not started);
 *                                the table is still created there if absent
 *   AWS_ENDPOINT_URL_SQS         set it to use another SQS (local-aws-sqs is then not started);
 *                                the queues are still created there if absent
 *   JOBS_TABLE_NAME              default pricewatch-jobs
 *   CHECKS_QUEUE_URL             set it to use an existing queue: no queue is created
 *   EGRESS_ALLOW_HOSTS           passed through (default empty: public hosts only)
 *   MIN_CHECK_INTERVAL_MINUTES   passed through when set
 *   RESCHEDULE_INTERVAL_SECONDS  default 5
 *   SQS_WAIT_TIME_SECONDS        default 1 (local-aws-sqs holds a long poll for its whole wait)
 *   PORT                         per app: the gateway's, LOCAL_WORKER_PORT, LOCAL_RESCHEDULER_PORT
 *   HOST=127.0.0.1               so that apps which honour it listen on loopback only
 *
 * Exit status: 0 after Ctrl-C/SIGTERM, 1 when something failed to start, when an app died, or
 * when another stack holds the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DataDirLock, LockHeldError } from './lock';
import {
  LOCAL_AWS_CREDENTIALS,
  LOOPBACK,
  isPortFree,
  provision,
  startDynalite,
  startPostgres,
  startSqs,
} from './services';
import { bundleIsStale } from './bundles';
import { buildWeb, webBuildIsStale } from '../../apps/web/build';

const startedAt = Date.now();
const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT_MARKER = path.join('tools', 'local-stack', 'start');

interface AppSpec {
  name: 'gateway' | 'scraper-worker' | 'rescheduler';
  portVariable: string;
  defaultPort: number;
}

const APPS: AppSpec[] = [
  { name: 'gateway', portVariable: 'PORT', defaultPort: 3000 },
  { name: 'scraper-worker', portVariable: 'LOCAL_WORKER_PORT', defaultPort: 3001 },
  { name: 'rescheduler', portVariable: 'LOCAL_RESCHEDULER_PORT', defaultPort: 3002 },
];

// ---------------------------------------------------------------------------------------------
// Output

const COLOURS = [36, 35, 33, 32, 34, 91, 96];
const colourOf = new Map<string, number>();
const PREFIX_WIDTH = 14;

function prefix(name: string): string {
  const label = `[${name}]`.padEnd(PREFIX_WIDTH + 2);
  if (!process.stdout.isTTY || process.env.NO_COLOR) return label;
  if (!colourOf.has(name)) colourOf.set(name, COLOURS[colourOf.size % COLOURS.length]);
  return `\x1b[${colourOf.get(name)}m${label}\x1b[0m`;
}

function log(name: string, line: string): void {
  process.stdout.write(`${prefix(name)} ${line}\n`);
}

function pipeLines(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(name, line));
  }
}

// ---------------------------------------------------------------------------------------------
// State shared with the shutdown path

/** Things to stop, in start order; stopped in reverse. */
const services: { name: string; stop: () => Promise<void> }[] = [];
const apps = new Map<string, ChildProcess>();
/** Builds and migrations in progress. */
const steps = new Set<ChildProcess>();
let lock: DataDirLock | undefined;
let shutdown: Promise<never> | undefined;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be an integer between 0 and 65535, got "${raw}"`);
  }
  return value;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // Children run in their own process group (so a terminal Ctrl-C reaches only us); the group
  // also holds whatever they spawned themselves.
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function stopEverything(code: number, reason: string): Promise<never> {
  shutdown ??= (async () => {
    log('stack', `stopping (${reason})`);
    for (const step of steps) killGroup(step, 'SIGTERM');

    const graceMs = envInt('LOCAL_STACK_SHUTDOWN_GRACE_SECONDS', 20) * 1000;
    const running = [...apps.entries()].filter(([, child]) => !hasExited(child));
    for (const [, child] of running) child.kill('SIGTERM');
    await Promise.all(
      running.map(async ([name, child]) => {
        if (await waitExit(child, graceMs)) return;
        log('stack', `${name} did not stop within ${graceMs / 1000} s, killing it`);
        killGroup(child, 'SIGKILL');
        await waitExit(child, 5000);
      }),
    );

    for (const service of [...services].reverse()) {
      try {
        await service.stop();
        log('stack', `${service.name} stopped`);
      } catch (error) {
        log('stack', `${service.name} did not stop cleanly: ${String(error)}`);
        code = code || 1;
      }
    }
    await lock?.release();
    log('stack', code === 0 ? 'stopped' : `stopped with errors (exit ${code})`);
    process.exit(code);
  })();
  return shutdown;
}

function onSignal(signal: NodeJS.Signals): void {
  // npm and tsx forward the terminal's Ctrl-C too, so the same signal may arrive more than once.
  if (shutdown) return;
  void stopEverything(0, `received ${signal}`);
}

// ---------------------------------------------------------------------------------------------
// Steps

async function loadOrCreateSecret(file: string): Promise<string> {
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(48).toString('base64url');
  await fs.writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  await fs.chmod(file, 0o600);
  log('stack', `generated a JWT secret in ${file}`);
  return secret;
}

/** Run a one-shot command with prefixed output; resolves with its exit code. */
function runStep(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    steps.add(child);
    pipeLines(name, child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      steps.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Builds, in one run, the apps whose bundle is missing or older than its sources. */
async function buildStale(candidates: AppSpec[]): Promise<void> {
  if (candidates.some((app) => app.name === 'gateway') && (await webBuildIsStale())) {
    // The web app the gateway serves at / (esbuild, well under a second).
    const web = await buildWeb();
    log('stack', `built the web app: ${web.js} (${web.jsGzipBytes} bytes gzip)`);
  }
  const stale: string[] = [];
  for (const app of candidates) if (await bundleIsStale(app.name)) stale.push(app.name);
  if (stale.length === 0) return;
  log('stack', `building ${stale.join(', ')} (bundles missing or older than their sources)`);
  // Loaded only when needed: a restart with nothing to build does not pay for TypeScript.
  const { buildApps } = await import('../build/apps');
  const { ms } = await buildApps(stale);
  log('stack', `built ${stale.join(', ')} in ${(ms / 1000).toFixed(1)} s`);
}

async function waitForHttp(url: string, deadlineMs: number): Promise<boolean> {
  while (Date.now() < deadlineMs && !shutdown) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const env = process.env;
  const dataDir = path.resolve(env.LOCAL_STACK_DATA_DIR || path.join(ROOT, '.data'));
  const cacheDir = path.resolve(env.LOCAL_STACK_CACHE_DIR || path.join(ROOT, '.cache'));
  await fs.mkdir(dataDir, { recursive: true });

  try {
    lock = await DataDirLock.acquire(
      dataDir,
      {
        owner: SCRIPT_MARKER,
        children: {
          postgres: 'postgres',
          ...Object.fromEntries(APPS.map((app) => [app.name, `dist/apps/${app.name}/main.js`])),
        },
      },
      (message) => log('stack', message),
    );
  } catch (error) {
    if (error instanceof LockHeldError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const selected = env.LOCAL_STACK_APPS?.split(',').map((name) => name.trim());
  const presentApps = APPS.filter((app) => {
    if (selected && !selected.includes(app.name)) {
      log('stack', `skipping ${app.name}: not in LOCAL_STACK_APPS`);
      return false;
    }
    if (existsSync(path.join(ROOT, 'apps', app.name, 'src', 'main.ts'))) return true;
    log('stack', `skipping ${app.name}: apps/${app.name}/src/main.ts does not exist yet`);
    return false;
  });

  // Check every port first: failing after a two-minute build would be unkind.
  const embedded = {
    postgres: !env.DATABASE_URL,
    dynamodb: !env.AWS_ENDPOINT_URL_DYNAMODB,
    sqs: !env.AWS_ENDPOINT_URL_SQS,
  };
  const wantedPorts: [string, number][] = [
    ...(embedded.postgres
      ? [['LOCAL_PG_PORT', envInt('LOCAL_PG_PORT', 54329)] as [string, number]]
      : []),
    ...(embedded.dynamodb
      ? [['LOCAL_DYNAMODB_PORT', envInt('LOCAL_DYNAMODB_PORT', 8000)] as [string, number]]
      : []),
    ...(embedded.sqs
      ? [['LOCAL_SQS_PORT', envInt('LOCAL_SQS_PORT', 9324)] as [string, number]]
      : []),
    ...presentApps.map(
      (app) => [app.portVariable, envInt(app.portVariable, app.defaultPort)] as [string, number],
    ),
  ];
  const busy: string[] = [];
  for (const [variable, port] of wantedPorts) {
    if (!(await isPortFree(port))) busy.push(`${port} (${variable})`);
  }
  if (busy.length > 0) {
    throw new Error(
      `port(s) already in use on ${LOOPBACK}: ${busy.join(', ')}. Stop what uses them, or set ` +
        `the variable(s) named to another port.`,
    );
  }
  const portOf = (variable: string) => wantedPorts.find(([name]) => name === variable)?.[1] ?? 0;

  // The build runs while the services start: esbuild works in its own process, and the
  // services mostly wait on their own processes and disks.
  const built = env.LOCAL_STACK_SKIP_BUILD === '1' ? Promise.resolve() : buildStale(presentApps);
  // Awaited below; until then a failure must not surface as an unhandled rejection.
  built.catch(() => undefined);

  const jwtSecret = env.JWT_SECRET || (await loadOrCreateSecret(path.join(dataDir, 'jwt-secret')));
  const region = env.AWS_REGION || 'us-east-1';
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID || LOCAL_AWS_CREDENTIALS.accessKeyId,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || LOCAL_AWS_CREDENTIALS.secretAccessKey,
  };
  const tableName = env.JOBS_TABLE_NAME || 'pricewatch-jobs';

  let databaseUrl = env.DATABASE_URL;
  if (embedded.postgres) {
    const postgres = await startPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: portOf('LOCAL_PG_PORT'),
      templateCacheDir: cacheDir,
      detached: true,
      onLog: (line) => log('postgres', line),
    });
    services.push({ name: 'postgres', stop: postgres.stop });
    await lock.recordChild('postgres', postgres.pid);
    log(
      'stack',
      `postgres ready (${postgres.init}: ${postgres.timings.initMs} ms, start: ` +
        `${postgres.timings.startMs} ms)`,
    );
    databaseUrl = postgres.url;
  } else {
    log('stack', 'DATABASE_URL is set: not starting the embedded PostgreSQL');
  }

  let dynamoEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
  if (embedded.dynamodb) {
    const dynamodb = await startDynalite({
      path: path.join(dataDir, 'dynamodb'),
      port: portOf('LOCAL_DYNAMODB_PORT'),
    });
    services.push({ name: 'dynalite', stop: dynamodb.stop });
    dynamoEndpoint = dynamodb.endpoint;
    log('stack', `dynalite listening on ${dynamoEndpoint} (data in ${dataDir}/dynamodb)`);
  } else {
    log('stack', `AWS_ENDPOINT_URL_DYNAMODB is set: using ${dynamoEndpoint}`);
  }

  let sqsEndpoint = env.AWS_ENDPOINT_URL_SQS;
  if (embedded.sqs) {
    const sqs = await startSqs({ port: portOf('LOCAL_SQS_PORT'), region });
    services.push({ name: 'local-aws-sqs', stop: sqs.stop });
    sqsEndpoint = sqs.endpoint;
    log('stack', `local-aws-sqs listening on ${sqsEndpoint} (in memory)`);
  } else {
    log('stack', `AWS_ENDPOINT_URL_SQS is set: using ${sqsEndpoint}`);
  }

  const provisioned = await provision({
    region,
    dynamoEndpoint,
    sqsEndpoint,
    tableName,
    skipQueues: Boolean(env.CHECKS_QUEUE_URL),
    credentials,
    onLog: (line) => log('stack', line),
  });
  const queueUrl = env.CHECKS_QUEUE_URL || provisioned.queueUrl;
  if (provisioned.ttl === 'unsupported') {
    log('stack', 'this DynamoDB has no TTL: price history does not expire locally');
  }

  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: jwtSecret,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    JOBS_TABLE_NAME: tableName,
    CHECKS_QUEUE_URL: queueUrl,
    EGRESS_ALLOW_HOSTS: env.EGRESS_ALLOW_HOSTS ?? '',
    RESCHEDULE_INTERVAL_SECONDS: env.RESCHEDULE_INTERVAL_SECONDS || '5',
    // local-aws-sqs holds a multi-message long poll for its whole wait even when messages are
    // there; a short wait keeps the local loop responsive (AWS returns at once).
    SQS_WAIT_TIME_SECONDS: env.SQS_WAIT_TIME_SECONDS || '1',
    HOST: env.HOST || LOOPBACK,
  };
  if (env.MIN_CHECK_INTERVAL_MINUTES) {
    appEnv.MIN_CHECK_INTERVAL_MINUTES = env.MIN_CHECK_INTERVAL_MINUTES;
  }

  await built;
  if (shutdown) return;
  const runnable = presentApps.filter((app) => {
    const ok = existsSync(path.join(ROOT, 'dist', 'apps', app.name, 'main.js'));
    if (!ok) log('stack', `skipping ${app.name}: dist/apps/${app.name}/main.js is missing`);
    return ok;
  });

  const startApp = async (app: AppSpec) => {
    const child = spawn(process.execPath, [`dist/apps/${app.name}/main.js`], {
      cwd: ROOT,
      env: { ...appEnv, PORT: String(portOf(app.portVariable)) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    apps.set(app.name, child);
    pipeLines(app.name, child);
    await lock!.recordChild(app.name, child.pid);
    child.once('exit', (code, signal) => {
      if (shutdown) return;
      log('stack', `${app.name} exited unexpectedly (code ${code}, signal ${signal})`);
      void stopEverything(1, `${app.name} died`);
    });
  };
  // The worker and the rescheduler do not use PostgreSQL: they start while migrations run.
  const gatewayApp = runnable.find((app) => app.name === 'gateway');
  for (const app of runnable) if (app !== gatewayApp) await startApp(app);
  if (gatewayApp) {
    const code = await runStep('migrate', ['dist/apps/gateway/main.js', 'migrate'], appEnv);
    if (shutdown) return;
    if (code !== 0) throw new Error(`migrations failed (exit ${code})`);
    await startApp(gatewayApp);
  } else {
    log('stack', 'no gateway in this run: migrations not run');
  }

  const readyDeadline = Date.now() + 90_000;
  const notReady: string[] = [];
  await Promise.all(
    runnable.map(async (app) => {
      const base = `http://${LOOPBACK}:${portOf(app.portVariable)}`;
      const ready =
        // Up and every dependency reachable (readiness alone only says the process can serve).
        (await waitForHttp(`${base}/health/dependencies`, readyDeadline)) &&
        (app.name !== 'gateway' || (await waitForHttp(`${base}/docs`, readyDeadline)));
      if (!ready) notReady.push(app.name);
    }),
  );
  if (shutdown) return;

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const lines = [''];
  lines.push(
    notReady.length === 0
      ? `pricewatch local stack is up (ready in ${seconds} s)`
      : `pricewatch local stack is up, but not ready after ${seconds} s: ${notReady.join(', ')}`,
  );
  const gateway = runnable.find((app) => app.name === 'gateway');
  if (gateway) {
    const base = `http://localhost:${portOf(gateway.portVariable)}`;
    lines.push(`  Web app          ${base}/`);
    lines.push(`  Swagger UI       ${base}/docs`);
    lines.push(`  API base         ${base}`);
  }
  for (const app of runnable) {
    const base = `http://localhost:${portOf(app.portVariable)}`;
    lines.push(`  ${app.name.padEnd(16)} ${base}/health/dependencies   ${base}/metrics`);
  }
  lines.push(`  PostgreSQL       ${databaseUrl}`);
  lines.push(`  DynamoDB         ${dynamoEndpoint}  table ${tableName}`);
  lines.push(`  SQS              ${queueUrl}`);
  lines.push(`  data             ${dataDir}`);
  lines.push('  Ctrl-C stops everything.', '');
  for (const line of lines) log('stack', line);
}

process.on('uncaughtException', (error) => {
  log('stack', `unexpected error: ${error.stack ?? String(error)}`);
  void stopEverything(1, 'unexpected error');
});

main().catch((error: unknown) => {
  log('stack', `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stopEverything(1, 'start failed');
});
