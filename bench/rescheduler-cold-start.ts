/**
 * `npm run package:rescheduler && npx tsx bench/rescheduler-cold-start.ts [--runs 5] [--due 100]`
 *
 * The cold start of the packaged Lambda: for each run, a fresh `node -e` process requires
 * dist/rescheduler-lambda/lambda.js and invokes the handler once (then once more, warm) against an
 * in-memory dynalite and local-aws-sqs started here, with `--due` jobs due. It reports, per
 * process: time to load the bundle (require), the first invocation split into the handler's own
 * init (Nest context, SDK clients) and the run (report.durationMs), time from process start to
 * the first result, and the second (warm) invocation. Medians over the runs.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  findFreePorts,
  LOCAL_AWS_CREDENTIALS,
  provision,
  startDynalite,
  startSqs,
} from '../tools/local-stack/services';
// The leaf module: this process only seeds; the barrel would load Nest and the SDK clients too.
// eslint-disable-next-line no-restricted-imports
import { dueShardOf, jobSk, userPk } from '../libs/jobs-domain/src/persistence/keys';
import { BUNDLE_FILE } from '../tools/package/rescheduler';
import { median } from './support/proc';

const REGION = 'us-east-1';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// Runs inside the fresh process. performance.now() counts from the process's time origin, so the
// first figure includes Node's own start.
const CHILD = `
const t0 = performance.now();
const { handler } = require(process.env.BUNDLE);
const loaded = performance.now();
const ctx = () => ({ getRemainingTimeInMillis: () => 60000, awsRequestId: 'bench' });
const ev = { version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
(async () => {
  const a = performance.now();
  const first = await handler(ev, ctx());
  const b = performance.now();
  const second = await handler(ev, ctx());
  const c = performance.now();
  process.stdout.write('\\n@@' + JSON.stringify({
    nodeStartMs: t0, requireMs: loaded - t0, firstMs: b - a, firstRunMs: first.durationMs,
    firstResultMs: b, secondMs: c - b, due: first.due, sent: first.sent,
  }) + '\\n');
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Sample {
  nodeStartMs: number;
  requireMs: number;
  firstMs: number;
  firstRunMs: number;
  firstResultMs: number;
  secondMs: number;
  due: number;
  sent: number;
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE_FILE)) throw new Error('run `npm run package:rescheduler` first');
  const runs = Number(arg('runs', '5'));
  const due = Number(arg('due', '100'));
  const [dynamoPort, sqsPort] = await findFreePorts(2);
  const dynalite = await startDynalite({ port: dynamoPort });
  const sqs = await startSqs({ port: sqsPort, region: REGION });
  const raw = new DynamoDBClient({
    region: REGION,
    endpoint: dynalite.endpoint,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(raw);
  const samples: Sample[] = [];
  try {
    const table = 'cold-start-jobs';
    const { queueUrl } = await provision({
      region: REGION,
      dynamoEndpoint: dynalite.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName: table,
    });
    for (let r = 0; r < runs; r++) {
      // Fresh due jobs for every process, so each first invocation does the same work.
      const now = Date.now();
      for (let i = 0; i < due; i += 25) {
        const items = Array.from({ length: Math.min(25, due - i) }, () => {
          const jobId = randomUUID();
          return {
            pk: userPk('bench'),
            sk: jobSk(jobId),
            jobId,
            userId: 'bench',
            status: 'active',
            version: 1,
            nextCheckAt: now - 1000,
            dueShard: dueShardOf(jobId),
          };
        });
        await doc.send(
          new BatchWriteCommand({
            RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
      }
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', CHILD], {
        env: {
          PATH: process.env.PATH,
          BUNDLE: BUNDLE_FILE,
          NODE_ENV: 'production',
          AWS_REGION: REGION,
          AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
          AWS_ENDPOINT_URL_SQS: sqs.endpoint,
          JOBS_TABLE_NAME: table,
          CHECKS_QUEUE_URL: queueUrl,
        },
        maxBuffer: 16 * 1024 * 1024,
      });
      const line = stdout.split('\n').find((l) => l.startsWith('@@'));
      if (!line) throw new Error(`no result from the child:\n${stdout}`);
      const sample = JSON.parse(line.slice(2)) as Sample;
      if (sample.sent !== due) throw new Error(`expected ${due} sent: ${line}`);
      samples.push(sample);
    }
  } finally {
    raw.destroy();
    await sqs.stop();
    await dynalite.stop();
  }
  const m = (k: keyof Sample) => Math.round(median(samples.map((s) => s[k])));
  const initMs = median(samples.map((s) => s.firstMs - s.firstRunMs));
  process.stdout.write(
    `cold start of dist/rescheduler-lambda/lambda.js, Node ${process.versions.node}, ` +
      `median of ${runs} fresh processes, ${due} due jobs:\n` +
      `  node start (to first line of -e)     ${m('nodeStartMs')} ms\n` +
      `  require bundle                       ${m('requireMs')} ms\n` +
      `  first invocation                     ${m('firstMs')} ms` +
      ` = handler init ${Math.round(initMs)} ms + run ${m('firstRunMs')} ms\n` +
      `  process start to first result        ${m('firstResultMs')} ms\n` +
      `  second (warm) invocation, nothing due ${m('secondMs')} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
