/**
 * Jest global setup of the integration project: starts the real local services once per run, on
 * free loopback ports, and publishes their addresses through process.env, which the test
 * workers inherit:
 *   DATABASE_URL (embedded Postgres, unless DATABASE_URL is already set), AWS_ENDPOINT_URL_DYNAMODB
 *   (in-memory dynalite), AWS_ENDPOINT_URL_SQS (local-aws-sqs), CHECKS_QUEUE_URL, JOBS_TABLE_NAME,
 *   AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (dummy), JWT_SECRET, NODE_ENV=test, and
 *   CHECKS_DLQ_URL for tests of the redrive. PRICEWATCH_SETUP_VERBOSE=1 prints the start times.
 *
 * Project files are imported by relative path: globalSetup does not get moduleNameMapper.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LOCAL_AWS_CREDENTIALS,
  findFreePorts,
  provision,
  startDynalite,
  startPostgres,
  startSqs,
  type LocalServiceHandle,
  type PostgresHandle,
} from '../../tools/local-stack/services';
import { SERVICES_GLOBAL_KEY, type StartedServices } from './services-env';

const ROOT = path.resolve(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-it-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    await fs.rm(workDir, { recursive: true, force: true });
  };
  const handle: StartedServices = { workDir, stop };
  (globalThis as Record<string, unknown>)[SERVICES_GLOBAL_KEY] = handle;

  try {
    const [pgPort, dynamoPort, sqsPort] = await findFreePorts(3);
    const region = process.env.AWS_REGION || 'us-east-1';
    const timings: string[] = [];

    let postgres: PostgresHandle | undefined;
    if (!process.env.DATABASE_URL) {
      // The Postgres user must be able to enter the temp dir when we run as root.
      await fs.chmod(workDir, 0o755);
      postgres = await startPostgres({
        dataDir: path.join(workDir, 'postgres'),
        port: pgPort,
        // A copy of a cached initialised cluster instead of initdb on every run.
        templateCacheDir: path.join(ROOT, '.cache'),
        ephemeral: true,
      });
      stops.push(postgres.stop);
      timings.push(
        `postgres ${postgres.init} ${postgres.timings.initMs}+${postgres.timings.startMs} ms`,
      );
    }

    const [dynamodb, sqs]: LocalServiceHandle[] = await Promise.all([
      startDynalite({ port: dynamoPort }),
      startSqs({ port: sqsPort, region }),
    ]);
    stops.push(dynamodb.stop, sqs.stop);

    const tableName = process.env.JOBS_TABLE_NAME || 'pricewatch-jobs';
    const provisioned = await provision({
      region,
      dynamoEndpoint: dynamodb.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName,
    });

    Object.assign(process.env, {
      NODE_ENV: 'test',
      DATABASE_URL: process.env.DATABASE_URL || postgres?.url,
      JWT_SECRET: process.env.JWT_SECRET || randomBytes(48).toString('base64url'),
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      JOBS_TABLE_NAME: tableName,
      CHECKS_QUEUE_URL: provisioned.queueUrl,
      CHECKS_DLQ_URL: provisioned.dlqUrl,
      // The event-loop-lag bound of load shedding measures this machine, not the code under test:
      // a CI runner starved of CPU would shed requests at random. Tests that exercise shedding set
      // their own bounds (libs/platform/src/load-shedding.spec.ts).
      SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      // Likewise the queue-time bound: tests that hang a dependency or hold requests on purpose
      // would see OVERLOADED instead of the answer they assert.
      SHED_MAX_QUEUE_TIME_MS: '0',
    });
    timings.push(`total ${Date.now() - started} ms`);
    if (process.env.PRICEWATCH_SETUP_VERBOSE) {
      process.stdout.write(`\nintegration services up: ${timings.join(', ')}\n`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
