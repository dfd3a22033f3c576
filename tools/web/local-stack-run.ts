/**
 * Runs `npm start`'s local stack (tools/local-stack/start.ts) as a child process on free ports,
 * in a throw-away data dir, next to the fixture shop it may check: for the screenshots and the
 * web benchmark, which need the real thing with a few products and their history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureShop, type FixtureShop } from '../../test/fixtures/shop';
import { findFreePorts } from '../local-stack/services';

const ROOT = path.resolve(__dirname, '..', '..');

export interface RunningStack {
  baseUrl: string;
  shop: FixtureShop;
  logs(): string;
  stop(): Promise<void>;
}

async function until(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  alive: () => boolean = () => true,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`gave up waiting for ${what}: the process exited`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startLocalStack(
  extraEnv: Record<string, string> = {},
): Promise<RunningStack> {
  const shop = await startFixtureShop();
  const [pg, dynamo, sqs, gateway, worker, rescheduler] = await findFreePorts(6);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pricewatch-web-'));
  let output = '';
  const child: ChildProcess = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'tools', 'local-stack', 'start.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        LOCAL_STACK_DATA_DIR: dataDir,
        LOCAL_PG_PORT: String(pg),
        LOCAL_DYNAMODB_PORT: String(dynamo),
        LOCAL_SQS_PORT: String(sqs),
        PORT: String(gateway),
        LOCAL_WORKER_PORT: String(worker),
        LOCAL_RESCHEDULER_PORT: String(rescheduler),
        EGRESS_ALLOW_HOSTS: shop.hostPort,
        MIN_CHECK_INTERVAL_MINUTES: '0.05',
        RESCHEDULE_INTERVAL_SECONDS: '1',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    await shop.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${gateway}`;
  try {
    await until(
      async () => {
        const [g, w] = await Promise.all([
          fetch(`${baseUrl}/health/ready`),
          fetch(`http://127.0.0.1:${worker}/health/ready`),
        ]);
        return g.ok && w.ok;
      },
      600_000,
      'the local stack',
      () => child.exitCode === null,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.slice(-4000)}`);
  }
  return { baseUrl, shop, logs: () => output, stop };
}
