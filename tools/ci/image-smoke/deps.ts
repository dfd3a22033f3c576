/**
 * Throw-away dependencies for tools/ci/image-smoke.sh, on loopback only: an embedded
 * PostgreSQL (copied from the cached template cluster under .cache/), dynalite (DynamoDB) and
 * local-aws-sqs (SQS), with the jobs table and the checks queue (+ DLQ) provisioned.
 *
 *   tsx tools/ci/image-smoke/deps.ts <work-dir> <env-file>
 *
 * Writes KEY=VALUE lines to <env-file> once everything is up (atomically: written to a temp
 * file, then renamed), then runs until SIGTERM/SIGINT, when it stops everything and exits 0.
 * Uses the local-stack helpers (tools/local-stack/services.ts), so no new dependency.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  findFreePorts,
  LOCAL_AWS_CREDENTIALS,
  provision,
  startDynalite,
  startPostgres,
  startSqs,
  type LocalServiceHandle,
  type PostgresHandle,
} from '../../local-stack/services';

const ROOT = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const [workDir, envFile] = process.argv.slice(2);
  if (!workDir || !envFile) throw new Error('usage: deps.ts <work-dir> <env-file>');
  const region = 'eu-west-1';
  const tableName = 'pricewatch-jobs';
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGINT', () => void stopAll(0));

  try {
    const [pgPort, dynamoPort, sqsPort] = await findFreePorts(3);
    await fs.mkdir(workDir, { recursive: true });
    // As root, Postgres runs as the `postgres` account, which must be able to enter workDir.
    await fs.chmod(workDir, 0o755);
    const pg: PostgresHandle = await startPostgres({
      dataDir: path.join(workDir, 'postgres'),
      port: pgPort,
      database: 'pricewatch',
      templateCacheDir: path.join(ROOT, '.cache'),
      ephemeral: true,
    });
    stops.push(pg.stop);
    const dynamo: LocalServiceHandle = await startDynalite({ port: dynamoPort });
    stops.push(dynamo.stop);
    const sqs: LocalServiceHandle = await startSqs({ port: sqsPort, region });
    stops.push(sqs.stop);
    const provisioned = await provision({
      region,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName,
    });
    const env = {
      DATABASE_URL: pg.url,
      AWS_REGION: region,
      JOBS_TABLE_NAME: tableName,
      CHECKS_QUEUE_URL: provisioned.queueUrl,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      SMOKE_PG_INIT: `${pg.init} ${pg.timings.initMs}+${pg.timings.startMs} ms`,
    };
    const body = Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('');
    await fs.writeFile(`${envFile}.tmp`, body, { mode: 0o600 });
    await fs.rename(`${envFile}.tmp`, envFile);
    // Stay up until told to stop.
    setInterval(() => undefined, 1 << 30);
  } catch (error) {
    process.stderr.write(`deps: ${error instanceof Error ? error.stack : String(error)}\n`);
    await stopAll(1);
  }
}

void main();
