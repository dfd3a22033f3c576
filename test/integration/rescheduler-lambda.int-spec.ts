/**
 * The packaged rescheduler Lambda, as deployed: the zip from `npm run package:rescheduler` is
 * unpacked, its `lambda.handler` is required in-process and invoked with a real-shaped EventBridge
 * scheduled event and a Lambda-like context, against the global setup's dynalite and SQS.
 *
 * It uses a table and a queue of its own in those servers: the handler claims every due job of the
 * table it is given, so on the shared table it would steal other test files' jobs (and they its).
 */
import { promises as fs, statSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
// Leaf modules directly: the code under test is the bundle, and the barrel would load a second
// copy of the app's Nest modules (and their process-wide metrics and tracing) into this process.
// eslint-disable-next-line no-restricted-imports
import { dueShardOf } from '../../libs/jobs-domain/src/persistence/keys';
// eslint-disable-next-line no-restricted-imports
import { jobsTableDefinition } from '../../libs/jobs-domain/src/persistence/table-schema';
import { BUNDLE_FILE, packageRescheduler, ZIP_FILE } from '../../tools/package/rescheduler';
import { readZip } from '../../tools/package/zip';
import { createTestQueue, drain } from '../support/queues';

const ROOT = path.resolve(__dirname, '..', '..');
const LEASE_SECONDS = 900;
const SAFETY_MARGIN_MS = 5000;

interface RunReport {
  due: number;
  claimed: number;
  sent: number;
  failed: number;
  stoppedEarly: boolean;
  durationMs: number;
}
type Handler = (event: unknown, context: unknown) => Promise<RunReport>;

/** Newest modification time under the directories the bundle is built from. */
function newestSourceMtime(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['apps/rescheduler/src', 'libs', 'tools/package', 'tools/build'])
    walk(path.join(ROOT, d));
  newest = Math.max(newest, statSync(path.join(ROOT, 'package-lock.json')).mtimeMs);
  return newest;
}

/** Reuses dist/ when the zip is newer than every source it is built from; packages otherwise. */
async function freshZip(): Promise<Buffer> {
  const built = (() => {
    try {
      return Math.min(statSync(ZIP_FILE).mtimeMs, statSync(BUNDLE_FILE).mtimeMs);
    } catch {
      return 0;
    }
  })();
  if (built <= newestSourceMtime()) await packageRescheduler();
  return fs.readFile(ZIP_FILE);
}

function scheduledEvent() {
  const time = new Date();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/pricewatch-rescheduler'],
    detail: {},
  };
}

/** What the Node.js runtime passes as the second argument; `remainingMs` fixes the deadline. */
function lambdaContext(remainingMs = 60_000) {
  const deadline = Date.now() + remainingMs;
  const fail = () => {
    throw new Error('legacy callback API not used');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'pricewatch-rescheduler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pricewatch-rescheduler',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/pricewatch-rescheduler',
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

describe('rescheduler Lambda package (in-process, dynalite + SQS)', () => {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const tableName = `rescheduler-lambda-${Date.now().toString(36)}`;
  const raw = new DynamoDBClient({ region });
  const doc = DynamoDBDocumentClient.from(raw);
  const sqs = new SQSClient({ region });
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  let unpacked: string;
  let handler: Handler;
  let savedEnv: NodeJS.ProcessEnv;
  const stdout: string[] = [];
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    const zip = await freshZip();
    unpacked = await fs.mkdtemp(path.join(os.tmpdir(), 'rescheduler-lambda-'));
    for (const entry of readZip(zip)) {
      await fs.writeFile(path.join(unpacked, entry.name), entry.data, { mode: entry.mode });
    }
    await raw.send(new CreateTableCommand(jobsTableDefinition(tableName)));
    queue = await createTestQueue(sqs, 'rescheduler-lambda');

    // The Lambda's configuration: the bundle reads process.env when its first invocation boots Nest.
    savedEnv = { ...process.env };
    Object.assign(process.env, {
      JOBS_TABLE_NAME: tableName,
      CHECKS_QUEUE_URL: queue.queueUrl,
      CHECK_LEASE_SECONDS: String(LEASE_SECONDS),
      RESCHEDULE_SAFETY_MARGIN_MS: String(SAFETY_MARGIN_MS),
      RESCHEDULE_PAGE_SIZE: '7', // small pages, so a run has to paginate within each shard
      NODE_ENV: 'test',
    });
    // The bundle logs JSON to stdout (the Lambda log stream); kept to observe its boot.
    const write = process.stdout.write.bind(process.stdout);
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      stdout.push(String(chunk));
      return process.env.TEST_LAMBDA_LOGS ? write(chunk, ...(rest as [])) : true;
    });

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(unpacked, 'lambda.js')) as { handler: Handler };
    handler = mod.handler;
  }, 120_000);

  afterAll(async () => {
    writeSpy?.mockRestore();
    process.env = savedEnv;
    await queue?.dispose();
    await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    if (unpacked) await fs.rm(unpacked, { recursive: true, force: true });
    raw.destroy();
    sqs.destroy();
  });

  interface Seeded {
    userId: string;
    jobId: string;
  }

  async function seed(
    count: number,
    kind: 'due' | 'not-due' | 'paused',
    userId = `u${randomUUID().slice(0, 8)}`,
  ): Promise<Seeded[]> {
    const now = Date.now();
    const jobs = Array.from({ length: count }, () => ({ userId, jobId: randomUUID() }));
    const items = jobs.map(({ userId: u, jobId }, i) => ({
      pk: `USER#${u}`,
      sk: `JOB#${jobId}`,
      entity: 'JOB',
      userId: u,
      jobId,
      url: `https://shop.example/p/${jobId}`,
      targetPrice: '19.99',
      currency: 'EUR',
      checkIntervalMinutes: 60,
      status: kind === 'paused' ? 'paused' : 'active',
      version: 1,
      consecutiveFailures: 0,
      createdAt: new Date(now - 86_400_000).toISOString(),
      updatedAt: new Date(now - 3_600_000).toISOString(),
      nextCheckAt: kind === 'not-due' ? now + 3_600_000 + i : now - 60_000 - i * 1000,
      // A paused job is out of the sparse index: no dueShard, though its nextCheckAt has passed.
      ...(kind === 'paused' ? {} : { dueShard: dueShardOf(jobId) }),
    }));
    for (let i = 0; i < items.length; i += 25) {
      await doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
    return jobs;
  }

  const getJob = async ({ userId, jobId }: Seeded) =>
    (
      await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `USER#${userId}`, sk: `JOB#${jobId}` },
          ConsistentRead: true,
        }),
      )
    ).Item!;

  const bootLogs = () => stdout.filter((l) => l.includes('Starting Nest application')).length;
  let coldMs = 0;

  it('enqueues only the due jobs, each exactly once, when two runs overlap (cold start)', async () => {
    const due = await seed(40, 'due');
    const notDue = await seed(10, 'not-due');
    const paused = await seed(6, 'paused');

    const before = Date.now();
    const started = performance.now();
    // Both invocations boot on the same (first) init and then query and claim concurrently.
    const [a, b] = await Promise.all([
      handler(scheduledEvent(), lambdaContext()),
      handler(scheduledEvent(), lambdaContext()),
    ]);
    coldMs = performance.now() - started;
    const after = Date.now();

    // Each due job is claimed by exactly one run; the other's conditional claim fails.
    expect(a.claimed + b.claimed).toBe(40);
    expect(a.sent + b.sent).toBe(40);
    expect(a.failed + b.failed).toBe(0);
    expect(a.due).toBeGreaterThanOrEqual(a.claimed);
    expect(b.due).toBeGreaterThanOrEqual(b.claimed);
    expect(a.due + b.due).toBeLessThanOrEqual(80);
    expect(a.stoppedEarly || b.stoppedEarly).toBe(false);

    const messages = await drain(sqs, queue.queueUrl);
    const bodies = messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies).toHaveLength(40);
    for (const body of bodies) {
      expect(Object.keys(body).sort()).toEqual(['jobId', 'kind', 'userId', 'v']);
      expect(body.v).toBe(1);
    }
    const sentIds = bodies.map((b) => `${String(b.userId)}/${String(b.jobId)}`).sort();
    expect(sentIds).toEqual(due.map((j) => `${j.userId}/${j.jobId}`).sort());

    for (const job of due) {
      const item = await getJob(job);
      expect(item.status).toBe('queued');
      expect(item.version).toBe(2); // exactly one claim succeeded
      expect(item.dueShard).toBe(dueShardOf(job.jobId)); // still in the index, for lease expiry
      expect(item.nextCheckAt).toBeGreaterThanOrEqual(before + LEASE_SECONDS * 1000);
      expect(item.nextCheckAt).toBeLessThanOrEqual(after + LEASE_SECONDS * 1000);
    }
    for (const job of [...notDue, ...paused]) {
      const item = await getJob(job);
      expect(item.version).toBe(1);
      expect(item.status).toBe(paused.includes(job) ? 'paused' : 'active');
    }
    expect(bootLogs()).toBe(1);
  });

  it('reuses the Nest context on a warm invocation and reports exact counts', async () => {
    const due = await seed(23, 'due');
    await seed(5, 'not-due');

    const started = performance.now();
    const report = await handler(scheduledEvent(), lambdaContext());
    const warmMs = performance.now() - started;

    expect(report).toEqual(
      expect.objectContaining({ due: 23, claimed: 23, sent: 23, failed: 0, stoppedEarly: false }),
    );
    expect(await drain(sqs, queue.queueUrl)).toHaveLength(23);
    for (const job of due) expect((await getJob(job)).status).toBe('queued');
    // No second boot: the container's context from the cold start served this run.
    expect(bootLogs()).toBe(1);
    // An idle warm run (nothing due) finds nothing and still boots nothing. Its time is printed,
    // not asserted: a timing assertion is a flake on a loaded runner (bench/ measures speed).
    const idleStarted = performance.now();
    const idle = await handler(scheduledEvent(), lambdaContext());
    const idleMs = performance.now() - idleStarted;
    expect(idle).toEqual(expect.objectContaining({ due: 0, claimed: 0, sent: 0, failed: 0 }));
    expect(bootLogs()).toBe(1);
    process.stderr.write(
      `rescheduler lambda: cold overlapping runs ${coldMs.toFixed(0)} ms, ` +
        `warm run of 23 ${warmMs.toFixed(0)} ms, idle warm run ${idleMs.toFixed(0)} ms\n`,
    );
  });

  it('stops before taking work when the remaining time is below the safety margin', async () => {
    const due = await seed(8, 'due');

    const report = await handler(scheduledEvent(), lambdaContext(SAFETY_MARGIN_MS - 1000));

    expect(report).toEqual(
      expect.objectContaining({ due: 0, claimed: 0, sent: 0, failed: 0, stoppedEarly: true }),
    );
    expect(await drain(sqs, queue.queueUrl)).toHaveLength(0);
    for (const job of due)
      expect(await getJob(job)).toMatchObject({ status: 'active', version: 1 });

    // With time left, the next scheduled run picks them up: nothing was lost.
    const next = await handler(scheduledEvent(), lambdaContext());
    expect(next).toEqual(expect.objectContaining({ due: 8, claimed: 8, sent: 8 }));
    expect(await drain(sqs, queue.queueUrl)).toHaveLength(8);
  });
});
