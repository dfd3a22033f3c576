import { runMigrations } from '@app/auth';
import { findFreePort, LOCAL_AWS_CREDENTIALS } from '../../../tools/local-stack/services';
import { FixtureShop, startFixtureShop } from '../../fixtures/shop';
import { eventually } from '../../support/apps';
import { AppName, AppProcess, ensureBuilt } from '../../support/processes';
import { createTestQueue, sqsClient } from '../../support/queues';
import { createTestTable } from '../../support/tables';
import { FaultProxy } from './fault-proxy';

/** The deadlines the suite runs the apps with; the latency bounds below derive from them. */
export const AWS_REQUEST_TIMEOUT_MS = 2000;
export const DATABASE_QUERY_TIMEOUT_MS = 2000;
/** The bound on an answer while a dependency hangs: the deadline plus one second. */
export const ANSWER_BOUND_MS = AWS_REQUEST_TIMEOUT_MS + 1000;

export interface RunningApp {
  proc: AppProcess;
  port: number;
  url: string;
  /** The dependencies that must be up for it to count as ready; all when absent. */
  needs?: string[];
}

/**
 * What every fault scenario runs on: the suite's real services (test/support/global-setup.ts),
 * each behind its own FaultProxy, a jobs table and a checks queue (with its DLQ) of this file's
 * own, the fixture shop, and the apps as child processes from their bundles, pointed at the
 * proxies. The test itself talks to the services directly, never through a proxy.
 */
export class FaultStack {
  private readonly apps: RunningApp[] = [];
  private readonly disposers: (() => Promise<unknown>)[] = [];

  private constructor(
    readonly shop: FixtureShop,
    readonly proxies: { dynamodb: FaultProxy; sqs: FaultProxy; postgres: FaultProxy },
    /** The queue as the apps see it (through the SQS proxy) and as the test sees it (direct). */
    readonly queue: { proxied: string; direct: string; dlq: string },
    readonly tableName: string,
    /** The environment every app gets; each app's start may add to it. */
    readonly env: Record<string, string | undefined>,
  ) {}

  static async start(tag: string, env: Record<string, string> = {}): Promise<FaultStack> {
    const built = ensureBuilt(['gateway', 'scraper-worker', 'rescheduler']);
    const databaseUrl = new URL(process.env.DATABASE_URL!);
    const [shop, dynamodb, sqs, postgres, table, queue] = await Promise.all([
      startFixtureShop(),
      FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB!),
      FaultProxy.start(process.env.AWS_ENDPOINT_URL_SQS!),
      FaultProxy.start(databaseUrl.host),
      createTestTable(`faults-${tag}`),
      // local-aws-sqs counts every visibility change (each heartbeat) as a receive, so a slow
      // check alone would reach production's 5 (docs/RELIABILITY.md); 10 leaves room for that.
      createTestQueue(sqsClient(), `faults-${tag}`, { visibilityTimeout: 10, maxReceiveCount: 10 }),
      runMigrations(process.env.DATABASE_URL!),
    ]);
    await built;
    const proxiedDb = new URL(databaseUrl);
    proxiedDb.host = postgres.hostPort;
    const proxiedQueue = new URL(queue.queueUrl);
    proxiedQueue.host = sqs.hostPort;
    const stack = new FaultStack(
      shop,
      { dynamodb, sqs, postgres },
      { proxied: proxiedQueue.href, direct: queue.queueUrl, dlq: queue.dlqUrl },
      table.tableName,
      {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        DATABASE_URL: proxiedDb.href,
        DATABASE_QUERY_TIMEOUT_MS: String(DATABASE_QUERY_TIMEOUT_MS),
        JWT_SECRET: process.env.JWT_SECRET,
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_REQUEST_TIMEOUT_MS: String(AWS_REQUEST_TIMEOUT_MS),
        // See test/support/global-setup.ts: the lag bound would measure the runner's load.
        SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
        // Shedding on time in the server is off too: these scenarios hang dependencies on purpose, and
        // their own 503s (not OVERLOADED) are what they assert.
        SHED_MAX_QUEUE_TIME_MS: '0',
        JOBS_TABLE_NAME: table.tableName,
        CHECKS_QUEUE_URL: proxiedQueue.href,
        EGRESS_ALLOW_HOSTS: shop.hostPort,
        // Checks a few seconds apart (fractions of a minute are allowed for this).
        MIN_CHECK_INTERVAL_MINUTES: '0.05',
        CHECK_LEASE_SECONDS: '30',
        SQS_WAIT_TIME_SECONDS: '1',
        VISIBILITY_TIMEOUT_SECONDS: '10',
        HEARTBEAT_SECONDS: '3',
        RETRY_BASE_SECONDS: '1',
        BROWSER_ENABLED: 'false',
        CHECK_JITTER_RATIO: '0',
        ARGON2_MEMORY_KIB: '4096',
        ARGON2_TIME_COST: '1',
        ...env,
      },
    );
    stack.disposers.push(
      () => shop.close(),
      () => dynamodb.close(),
      () => sqs.close(),
      () => postgres.close(),
      () => table.dispose(),
      () => queue.dispose(),
    );
    return stack;
  }

  /**
   * Starts one app on a free port and waits until it reports every dependency reachable (or only
   * those named in `needs`, for an app started with one of them down on purpose).
   */
  async startApp(
    app: AppName,
    env: Record<string, string> = {},
    opts: { needs?: string[] } = {},
  ): Promise<RunningApp> {
    const port = await findFreePort();
    const proc = new AppProcess(app, { ...this.env, ...env, PORT: String(port) }).start();
    const running: RunningApp = { proc, port, url: `http://127.0.0.1:${port}`, needs: opts.needs };
    this.apps.push(running);
    await this.ready(running);
    return running;
  }

  /** Restarts an app's process with the same port and environment. */
  async restart(app: RunningApp): Promise<void> {
    app.proc.start();
    await this.ready(app);
  }

  async ready(app: RunningApp): Promise<void> {
    try {
      await eventually(
        async () => {
          const res = await fetch(`${app.url}/health/dependencies`);
          if (!app.needs) return res.ok ? true : undefined;
          const up = ((await res.json()) as { info?: Record<string, { status?: string }> }).info;
          return app.needs.every((name) => up?.[name]?.status === 'up') ? true : undefined;
        },
        90_000,
        `${app.proc.app} to be ready`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.output(app)}`);
    }
  }

  /** The tail of an app's output, for a failure message. */
  output(app: RunningApp): string {
    return `--- ${app.proc.app} output:\n${app.proc.logs().slice(-4000)}`;
  }

  /** Every app's recent output (for a failing test's message). */
  outputs(): string {
    return this.apps.map((a) => this.output(a)).join('\n');
  }

  /** Passes on every proxy again (a scenario that failed midway must not leave the next one hung). */
  healAll(): void {
    for (const proxy of Object.values(this.proxies)) proxy.pass();
  }

  async stop(): Promise<void> {
    this.healAll();
    await Promise.all(this.apps.map((a) => a.proc.stop('SIGTERM', 20_000)));
    for (const dispose of this.disposers.reverse()) await dispose().catch(() => undefined);
  }
}
