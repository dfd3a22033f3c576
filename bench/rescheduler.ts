/**
 * `npx tsx bench/rescheduler.ts [--sizes 1000,10000,50000] [--due 500]`
 *
 * 50k by default: seeding 100k into dynalite alone takes ~165 s on 2 cores (measured).
 *
 * One rescheduler run over tables of growing size with the same number of due jobs, against an
 * in-memory dynalite and local-aws-sqs started here on free ports. Every job is schedulable (it
 * carries dueShard, so the sparse index holds all of them); only `--due` of them have
 * nextCheckAt in the past. For each size it prints the seeding time, the run's duration, what the
 * run read (Query calls and items, counted by wrapping the DynamoDB client), and what a Scan-based
 * design reads for the same answer (a real Scan with the same filter, timed).
 *
 * Absolute times are dynalite's (LevelDB in memory, one process), not DynamoDB's; the item counts
 * are what DynamoDB would bill for, and they are the point.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import {
  findFreePorts,
  LOCAL_AWS_CREDENTIALS,
  provision,
  startDynalite,
  startSqs,
} from '../tools/local-stack/services';
import { AwsConfig } from '@app/aws-clients';
import {
  CheckQueue,
  dueShardOf,
  JobsConfig,
  JobsRepository,
  OutboxRepository,
  jobSk,
  userPk,
} from '@app/jobs-domain';
import { ReschedulerConfig } from '../apps/rescheduler/src/rescheduler.config';
import { ReschedulerService, type RunReport } from '../apps/rescheduler/src/rescheduler.service';

const REGION = 'us-east-1';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Row {
  jobs: number;
  seedMs: number;
  runMs: number;
  report: RunReport;
  queryCalls: number;
  queryItems: number;
  scanCalls: number;
  scanItems: number;
  scanMs: number;
}

/** Counts Query calls and the items they returned; everything else passes through. */
function counting(doc: DynamoDBDocumentClient) {
  const counts = { queryCalls: 0, queryItems: 0 };
  const send = doc.send.bind(doc) as (c: unknown) => Promise<unknown>;
  (doc as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command) => {
    const out = await send(command);
    if (command instanceof QueryCommand) {
      counts.queryCalls++;
      // ScannedCount: what DynamoDB read (and bills for), before any filter.
      counts.queryItems += (out as { ScannedCount?: number }).ScannedCount ?? 0;
    }
    return out;
  };
  return counts;
}

async function seed(
  doc: DynamoDBDocumentClient,
  table: string,
  total: number,
  due: number,
): Promise<void> {
  const now = Date.now();
  const item = (i: number) => {
    const userId = `u${Math.floor(i / 20)}`; // 20 jobs per user, like a real item collection
    const jobId = randomUUID();
    return {
      pk: userPk(userId),
      sk: jobSk(jobId),
      entity: 'JOB',
      userId,
      jobId,
      url: `https://shop.example/p/${i}`,
      targetPrice: '19.99',
      currency: 'EUR',
      checkIntervalMinutes: 60,
      status: 'active',
      version: 1,
      consecutiveFailures: 0,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      // Due ones spread over the last minute; the rest over the next hour's second half.
      // Not-due ones at least 30 minutes out, so none falls due while a large table is still seeding.
      nextCheckAt: i < due ? now - 1000 - (i % 60_000) : now + 1_800_000 + (i * 1_800_000) / total,
      dueShard: dueShardOf(jobId),
    };
  };
  const batches = Math.ceil(total / 25);
  let next = 0;
  // A few BatchWriteItem calls in flight: dynalite is one process, more only queue up.
  const worker = async () => {
    for (let b = next++; b < batches; b = next++) {
      let requests = Array.from({ length: Math.min(25, total - b * 25) }, (_, k) => ({
        PutRequest: { Item: item(b * 25 + k) },
      }));
      while (requests.length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** What a Scan-based rescheduler would read to find the same due jobs. */
async function scanForDue(doc: DynamoDBDocumentClient, table: string, now: number) {
  let calls = 0;
  let items = 0;
  let found = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out: ScanCommandOutput = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'attribute_exists(dueShard) AND nextCheckAt <= :now',
        ExpressionAttributeValues: { ':now': now },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: startKey,
      }),
    );
    calls++;
    items += out.ScannedCount ?? 0;
    found += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return { calls, items, found };
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '1000,10000,50000').split(',').map(Number);
  const dueCount = Number(arg('due', '500'));
  const [dynamoPort, sqsPort] = await findFreePorts(2);
  const dynalite = await startDynalite({ port: dynamoPort });
  const sqsServer = await startSqs({ port: sqsPort, region: REGION });
  const clientConfig = { region: REGION, credentials: LOCAL_AWS_CREDENTIALS };
  const raw = new DynamoDBClient({ ...clientConfig, endpoint: dynalite.endpoint });
  const doc = DynamoDBDocumentClient.from(raw);
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
  const rows: Row[] = [];
  // The service logs each run; the table below is the output.
  Logger.overrideLogger(['error']);
  try {
    // A first, unmeasured run on a small table: the first run of a process pays for JIT, SDK
    // middleware setup and new sockets (it took twice as long as the others), which is the cold
    // start's cost, measured separately in docs/PERFORMANCE.md, not the per-run cost.
    for (const size of [-1, ...sizes]) {
      const warmUp = size < 0;
      const table = warmUp ? 'bench-warm-up' : `bench-jobs-${size}`;
      const { queueUrl } = await provision({
        region: REGION,
        dynamoEndpoint: dynalite.endpoint,
        sqsEndpoint: sqsServer.endpoint,
        tableName: table,
        queueName: `bench-checks-${warmUp ? 'warm-up' : size}`,
        dlqName: `bench-checks-${warmUp ? 'warm-up' : size}-dlq`,
      });
      let t = performance.now();
      await seed(doc, table, warmUp ? 2 * dueCount : size, dueCount);
      const seedMs = performance.now() - t;
      if (!warmUp) process.stderr.write(`seeded ${size} jobs in ${(seedMs / 1000).toFixed(1)} s\n`);

      const aws = Object.assign(new AwsConfig(), {
        JOBS_TABLE_NAME: table,
        CHECKS_QUEUE_URL: queueUrl,
        AWS_REGION: REGION,
      });
      const config = new ReschedulerConfig(); // the defaults: page 100
      const counts = counting(doc);
      const service = new ReschedulerService(
        new JobsRepository(doc, aws),
        new OutboxRepository(doc, aws),
        new CheckQueue(sqs, aws),
        config,
        aws,
        new JobsConfig(), // the default lease, 900 s
      );
      const scanNow = Date.now();
      t = performance.now();
      const report = await service.runOnce();
      const runMs = performance.now() - t;
      if (report.claimed !== dueCount || report.sent !== dueCount) {
        throw new Error(`expected ${dueCount} claimed and sent, got ${JSON.stringify(report)}`);
      }

      // The Scan runs after the claims, with the same "now": it must still read the whole table.
      t = performance.now();
      const scan = await scanForDue(doc, table, scanNow);
      const scanMs = performance.now() - t;
      if (warmUp) continue;
      rows.push({ jobs: size, seedMs, runMs, report, ...counts, ...scanAs(scan), scanMs });
    }
  } finally {
    raw.destroy();
    sqs.destroy();
    await sqsServer.stop();
    await dynalite.stop();
  }
  print(rows, dueCount);
}

function scanAs(s: { calls: number; items: number }) {
  return { scanCalls: s.calls, scanItems: s.items };
}

function print(rows: Row[], due: number): void {
  const header = [
    'jobs in table',
    'due',
    'seeding',
    'run',
    'Query calls',
    'items read (Query)',
    'Scan calls',
    'items read (Scan design)',
    'Scan time',
  ];
  const lines = rows.map((r) => [
    r.jobs.toLocaleString('en-US'),
    String(due),
    `${(r.seedMs / 1000).toFixed(1)} s (${Math.round(r.jobs / (r.seedMs / 1000))}/s)`,
    `${Math.round(r.runMs)} ms`,
    String(r.queryCalls),
    String(r.queryItems),
    String(r.scanCalls),
    r.scanItems.toLocaleString('en-US'),
    `${Math.round(r.scanMs)} ms`,
  ]);
  const out = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ];
  process.stdout.write(
    `\nrescheduler run, ${due} due jobs, Node ${process.versions.node}, dynalite in memory\n\n` +
      `${out.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
