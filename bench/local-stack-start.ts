/**
 * How long `npm start` takes to be up: the first start on a fresh clone (no bundles in dist/apps,
 * no data dir, no cached Postgres cluster), then a restart with nothing changed.
 *
 *   npx tsx bench/local-stack-start.ts          (npm run bench:start)
 *
 * Runs tools/local-stack/start.ts as `npm start` does, on free loopback ports, with a throw-away
 * data dir and Postgres cache; times from spawn to the "local stack is up" line, then stops the
 * stack with SIGINT (Ctrl-C) and waits for it to exit. DELETES dist/apps first (a fresh clone has
 * none); everything else it creates is removed at the end. Prints the stack's own build and
 * readiness lines and the 1-minute load average: a busy machine changes these figures a lot.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePorts } from '../tools/local-stack/services';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const START = path.join(ROOT, 'tools', 'local-stack', 'start.ts');

interface Run {
  upMs: number;
  notes: string[];
}

async function runOnce(env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [TSX, START], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const notes: string[] = [];
  const tail: string[] = [];
  const up = new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (/\b(built|building|ready in|postgres ready|up, but not ready)\b/.test(line))
          notes.push(line.trim());
        if (line.includes('pricewatch local stack is up')) resolve(Date.now() - started);
      });
    }
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}) before it was up:\n${tail.join('\n')}`)),
    );
  });
  try {
    return { upMs: await up, notes };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 60_000);
    await exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-bench-start-'));
  // As root, Postgres runs as the postgres user, which must be able to enter this directory.
  await fs.chmod(work, 0o755);
  const [gw, worker, resch, pg, ddb, sqs] = await findFreePorts(6);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOCAL_STACK_DATA_DIR: path.join(work, 'data'),
    LOCAL_STACK_CACHE_DIR: path.join(work, 'cache'),
    PORT: String(gw),
    LOCAL_WORKER_PORT: String(worker),
    LOCAL_RESCHEDULER_PORT: String(resch),
    LOCAL_PG_PORT: String(pg),
    LOCAL_DYNAMODB_PORT: String(ddb),
    LOCAL_SQS_PORT: String(sqs),
    NO_COLOR: '1',
  };
  try {
    await fs.rm(path.join(ROOT, 'dist', 'apps'), { recursive: true, force: true });
    const first = await runOnce(env);
    const again = await runOnce(env);
    const load = os.loadavg()[0].toFixed(1);
    process.stdout.write(
      [
        `npm start, first start on a fresh clone: up in ${(first.upMs / 1000).toFixed(1)} s`,
        ...first.notes.map((n) => `    ${n}`),
        `npm start, restart with nothing changed: up in ${(again.upMs / 1000).toFixed(1)} s`,
        ...again.notes.map((n) => `    ${n}`),
        `1-minute load average at the end: ${load} on ${os.cpus().length} cores`,
        '',
      ].join('\n'),
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
