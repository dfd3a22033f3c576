/**
 * Proves `npm start`: tools/local-stack/start.ts run as a user would run it (through tsx), with
 * its own data dir and free ports, so it never collides with a developer's running stack or with
 * the services of the integration global setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  LOCAL_AWS_CREDENTIALS,
  connectPg,
  findFreePorts,
  isPortFree,
} from '../../tools/local-stack/services';
import { isAlive, type LockContents } from '../../tools/local-stack/lock';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const START = path.join(ROOT, 'tools', 'local-stack', 'start.ts');
const GATEWAY_SOURCE = path.join(ROOT, 'apps', 'gateway', 'src', 'main.ts');

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Poll until check() returns a value; throw with `describe()` after the deadline. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function rejectAfter(timeoutMs: number, message: () => string): Promise<never> {
  return new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(message())), timeoutMs).unref();
  });
}

async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

describe('npm start (tools/local-stack/start.ts)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { pg: number; dynamodb: number; sqs: number; gateway: number };
  let withGateway = existsSync(GATEWAY_SOURCE);
  const runs: Run[] = [];

  function launch(extraEnv: NodeJS.ProcessEnv = {}): Run {
    const child = spawn(process.execPath, [TSX, START], {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const run = { child, output: () => output, exit };
    runs.push(run);
    return run;
  }

  function readLock(): LockContents | undefined {
    try {
      return JSON.parse(readFileSync(path.join(dataDir, 'local-stack.lock'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Start and wait for the "is up" line (and the gateway, when it is part of the run). */
  async function startStack(): Promise<Run> {
    const run = launch(withGateway ? {} : { LOCAL_STACK_APPS: 'none' });
    let exited = false;
    void run.exit.then(() => (exited = true));
    await waitFor(
      'the local stack to come up',
      () => {
        if (run.output().includes('local stack is up')) return true;
        if (exited) throw new Error(`start.ts exited before it was up:\n${run.output()}`);
        return undefined;
      },
      240_000,
      run.output,
    );
    if (withGateway) {
      const base = `http://127.0.0.1:${ports.gateway}`;
      await waitFor(
        'gateway /health/dependencies',
        async () => ((await httpStatus(`${base}/health/dependencies`)) === 200 ? true : undefined),
        30_000,
        run.output,
      );
      expect(await httpStatus(`${base}/docs`)).toBe(200);
    }
    return run;
  }

  async function stopStack(run: Run): Promise<void> {
    run.child.kill('SIGINT');
    const result = await Promise.race([
      run.exit,
      rejectAfter(60_000, () => `start.ts did not exit after SIGINT:\n${run.output()}`),
    ]);
    expect(result.code).toBe(0);
  }

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-npm-start-'));
    // As root, Postgres runs as the postgres user, which must be able to enter this directory.
    await fs.chmod(dataDir, 0o755);
    const [pg, dynamodb, sqs, gateway, worker, rescheduler] = await findFreePorts(6);
    ports = { pg, dynamodb, sqs, gateway };
    env = { ...process.env };
    // The global setup's services are not this stack's: start.ts must start its own.
    for (const name of [
      'DATABASE_URL',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_SQS',
      'CHECKS_QUEUE_URL',
      'JWT_SECRET',
      'NODE_ENV',
      'LOCAL_STACK_APPS',
    ]) {
      delete env[name];
    }
    Object.assign(env, {
      LOCAL_STACK_DATA_DIR: dataDir,
      LOCAL_PG_PORT: String(pg),
      LOCAL_DYNAMODB_PORT: String(dynamodb),
      LOCAL_SQS_PORT: String(sqs),
      PORT: String(gateway),
      LOCAL_WORKER_PORT: String(worker),
      LOCAL_RESCHEDULER_PORT: String(rescheduler),
      NO_COLOR: '1',
    });

    if (withGateway) {
      // Only a gateway that cannot be built yet is skipped; one that builds must also run.
      const build = spawn(
        process.execPath,
        [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'gateway'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let buildOutput = '';
      build.stdout?.on('data', (chunk: Buffer) => (buildOutput += chunk.toString()));
      build.stderr?.on('data', (chunk: Buffer) => (buildOutput += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
      if (code !== 0) {
        withGateway = false;
        console.warn(`gateway part skipped: nest build gateway failed:\n${buildOutput}`);
      }
    } else {
      console.warn('gateway part skipped: apps/gateway/src/main.ts does not exist yet');
    }
  }, 180_000);

  afterAll(async () => {
    for (const run of runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGINT');
        await Promise.race([run.exit, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      }
    }
    // Whatever a failed run left behind must not outlive the test.
    const lock = readLock();
    for (const pid of Object.values(lock?.children ?? {})) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  }, 90_000);

  it('starts everything, refuses a second start, stops every process on SIGINT and keeps the data', async () => {
    const first = await startStack();
    const lock = readLock();
    expect(lock).toBeDefined();
    const pids = [lock!.pid, ...Object.values(lock!.children)];
    expect(Object.keys(lock!.children)).toContain('postgres');
    if (withGateway) expect(Object.keys(lock!.children)).toContain('gateway');

    const databaseUrl = `postgres://postgres:password@127.0.0.1:${ports.pg}/pricewatch`;
    const pg = await connectPg(databaseUrl);
    await pg.query('CREATE TABLE local_stack_marker (id int PRIMARY KEY)');
    await pg.query('INSERT INTO local_stack_marker VALUES (1)');
    await pg.end();
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${ports.dynamodb}`,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const markerKey = { pk: { S: 'LOCAL_STACK_TEST' }, sk: { S: 'MARKER' } };
    await dynamo.send(new PutItemCommand({ TableName: 'pricewatch-jobs', Item: markerKey }));

    const second = launch();
    const refused = await Promise.race([
      second.exit,
      rejectAfter(30_000, () => `the second start did not exit:\n${second.output()}`),
    ]);
    expect(refused.code).not.toBe(0);
    expect(second.output()).toMatch(/already running/);
    expect(second.output()).toContain(`pid ${lock!.pid}`);

    await stopStack(first);
    expect(first.output()).toContain('postgres stopped');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'local-stack.lock'))).toBe(false);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);

    const third = await startStack();
    expect(third.output()).not.toContain('stale lock');
    const item = await dynamo.send(
      new GetItemCommand({ TableName: 'pricewatch-jobs', Key: markerKey }),
    );
    expect(item.Item).toEqual(markerKey);
    dynamo.destroy();
    const pgAgain = await connectPg(databaseUrl);
    const rows = await pgAgain.query('SELECT id FROM local_stack_marker');
    await pgAgain.end();
    expect(rows.rows).toEqual([{ id: 1 }]);
    expect(await fs.readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).toMatch(/^[\w-]{64}\n$/);

    await stopStack(third);
  }, 420_000);
});
