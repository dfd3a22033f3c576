import { randomBytes } from 'node:crypto';
import {
  findFreePorts,
  LOCAL_AWS_CREDENTIALS,
  LocalServiceHandle,
  provision,
  startSqs,
} from '../../tools/local-stack/services';
import { FixtureShop, startFixtureShop } from '../fixtures/shop';
import { eventually, uniqueEmail } from '../support/apps';
import { AppProcess, ensureBuilt } from '../support/processes';

// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

/**
 * The whole loop as it runs locally and on AWS: the three bundles as separate processes (gateway,
 * worker, rescheduler loop), real PostgreSQL and dynalite from the global setup, an SQS server of
 * this test's own (so it can be stopped), and the fixture shop. Only the public API is used.
 * Checks run seconds apart: MIN_CHECK_INTERVAL_MINUTES allows fractions for that.
 */
describe('the loop, end to end', () => {
  const INTERVAL_MINUTES = 0.05; // 3 seconds
  let shop: FixtureShop;
  let sqs: LocalServiceHandle;
  let sqsPort: number;
  let queueName: string;
  let env: Record<string, string | undefined>;
  let gateway: AppProcess;
  let worker: AppProcess;
  let rescheduler: AppProcess;
  let base: string;
  let auth: Record<string, string>;
  const ports: Record<string, number> = {};

  async function startQueue(): Promise<string> {
    sqs = await startSqs({ port: sqsPort });
    const out = await provision({
      region: 'us-east-1',
      sqsEndpoint: sqs.endpoint,
      dynamoEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
      // A table of its own: its rescheduler would otherwise claim other files' due jobs.
      tableName: `${queueName}-jobs`,
      queueName,
      dlqName: `${queueName}-dlq`,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    return out.queueUrl;
  }

  const ready = async (app: AppProcess, port: number) => {
    try {
      await eventually(
        // Ready and every dependency reachable.
        async () =>
          (await fetch(`http://127.0.0.1:${port}/health/dependencies`)).ok ? true : undefined,
        90_000,
        `${app.app} to be ready`,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- ${app.app} output:\n${app.logs().slice(-3000)}`,
      );
    }
  };

  beforeAll(async () => {
    await ensureBuilt(['gateway', 'scraper-worker', 'rescheduler']);
    shop = await startFixtureShop();
    [sqsPort, ports.gateway, ports.worker, ports.rescheduler] = await findFreePorts(4);
    queueName = `loop-${randomBytes(4).toString('hex')}`;
    const queueUrl = await startQueue();
    env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.DATABASE_URL,
      JWT_SECRET: process.env.JWT_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      // See test/support/global-setup.ts: the lag bound would measure the runner's load.
      SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      SHED_MAX_QUEUE_TIME_MS: '0',
      JOBS_TABLE_NAME: `${queueName}-jobs`,
      CHECKS_QUEUE_URL: queueUrl,
      EGRESS_ALLOW_HOSTS: shop.hostPort,
      MIN_CHECK_INTERVAL_MINUTES: String(INTERVAL_MINUTES),
      CHECK_LEASE_SECONDS: '30',
      RESCHEDULE_INTERVAL_SECONDS: '1',
      SQS_WAIT_TIME_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      HEARTBEAT_SECONDS: '3',
      RETRY_BASE_SECONDS: '1',
      BROWSER_ENABLED: 'false',
      CHECK_JITTER_RATIO: '0',
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_TIME_COST: '1',
    };
    expect(await new AppProcess('gateway', env, ['migrate']).run()).toBe(0);
    gateway = new AppProcess('gateway', { ...env, PORT: String(ports.gateway) }).start();
    worker = new AppProcess('scraper-worker', { ...env, PORT: String(ports.worker) }).start();
    rescheduler = new AppProcess('rescheduler', {
      ...env,
      PORT: String(ports.rescheduler),
    }).start();
    await Promise.all([
      ready(gateway, ports.gateway),
      ready(worker, ports.worker),
      ready(rescheduler, ports.rescheduler),
    ]);
    base = `http://127.0.0.1:${ports.gateway}/api/v1`;

    const email = uniqueEmail('loop');
    const json = { 'content-type': 'application/json' };
    expect(
      (
        await fetch(`${base}/signup`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ email, password: 'long enough pw' }),
        })
      ).status,
    ).toBe(201);
    const session = (await (
      await fetch(`${base}/signin`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password: 'long enough pw' }),
      })
    ).json()) as AnyJson;
    auth = { ...json, authorization: `Bearer ${session.accessToken}` };
  }, 300_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), worker?.stop(), rescheduler?.stop()]);
    await sqs?.stop();
    await shop?.close();
  });

  const create = async (sku: string, targetPrice: string, extra = '') => {
    const res = await fetch(`${base}/jobs`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        url: `${shop.baseUrl}/p/dynamic?sku=${sku}${extra}`,
        targetPrice,
        checkIntervalMinutes: INTERVAL_MINUTES,
      }),
    });
    expect(res.status).toBe(202);
    return (await res.json()) as AnyJson;
  };
  const job = async (id: string) =>
    (await (await fetch(`${base}/jobs/${id}`, { headers: auth })).json()) as AnyJson;
  const points = async (id: string) =>
    (
      (await (
        await fetch(`${base}/jobs/${id}/history?limit=100`, { headers: auth })
      ).json()) as AnyJson
    ).points as AnyJson[];
  const alerts = async (id: string) =>
    (
      (
        (await (
          await fetch(`${base}/notifications?limit=100`, { headers: auth })
        ).json()) as AnyJson
      ).notifications as AnyJson[]
    ).filter((n) => n.jobId === id);
  const status = (id: string, want: string, timeoutMs = 30_000) =>
    eventually(
      async () => ((await job(id)).status === want ? true : undefined),
      timeoutMs,
      `job ${id} to be ${want}`,
    );
  /** Completed rescheduler runs, from its own metrics. */
  const runs = async () => {
    const text = await (await fetch(`http://127.0.0.1:${ports.rescheduler}/metrics`)).text();
    return Number(/rescheduler_run_duration_seconds_count (\d+)/.exec(text)?.[1] ?? 0);
  };

  it('notifies within seconds when the price is already at or below the target', async () => {
    shop.setPrice('dynamic:cheap', '80.00');
    const j = await create('cheap', '100');
    await status(j.id, 'notified');
    const n = await eventually(async () =>
      (await alerts(j.id)).length ? alerts(j.id) : undefined,
    );
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ price: '80.00', targetPrice: '100.00' });
  });

  it('rechecks on schedule, then notifies once when the shop lowers the price', async () => {
    shop.setPrice('dynamic:drop', '150.00');
    const j = await create('drop', '120');
    await eventually(
      async () => ((await points(j.id)).length >= 3 ? true : undefined),
      40_000,
      'two rechecks',
    );
    // A price point is written before its job (the job write is a check's commit point), and the
    // next recheck may already be under way: read the status once no check is in progress.
    const between = await eventually(
      async () => {
        const current = await job(j.id);
        return ['queued', 'processing'].includes(current.status) ? undefined : current;
      },
      20_000,
      'no check in progress',
    );
    expect(between.status).toBe('active');
    expect(await alerts(j.id)).toHaveLength(0);
    shop.setPrice('dynamic:drop', '119.99');
    await status(j.id, 'notified');
    const settled = await runs();
    await eventually(
      async () => ((await runs()) >= settled + 3 ? true : undefined),
      20_000,
      'three more rescheduler runs',
    );
    const n = await alerts(j.id);
    expect(n).toHaveLength(1);
    expect(n[0].price).toBe('119.99');
    expect((await points(j.id))[0].price).toBe('119.99');
  }, 120_000);

  it('does not check a paused job, and checks it again once resumed', async () => {
    shop.setPrice('dynamic:pause', '500.00');
    const j = await create('pause', '100');
    await status(j.id, 'active');
    const patch = (body: object) =>
      fetch(`${base}/jobs/${j.id}`, { method: 'PATCH', headers: auth, body: JSON.stringify(body) });
    expect((await patch({ paused: true })).status).toBe(200);
    const before = (await points(j.id)).length;
    const from = await runs();
    await eventually(
      async () => ((await runs()) >= from + 4 ? true : undefined),
      20_000,
      'four rescheduler runs',
    );
    expect((await points(j.id)).length).toBe(before);
    expect((await patch({ paused: false })).status).toBe(200);
    await eventually(
      async () => ((await points(j.id)).length > before ? true : undefined),
      20_000,
      'a check after resuming',
    );
  });

  it('completes a check whose worker was killed midway, without a duplicate price point or alert', async () => {
    shop.setPrice('dynamic:crash', '90.00');
    const j = await create('crash', '100', '&delay=4000');
    await status(j.id, 'processing', 20_000);
    await worker.stop('SIGKILL');
    worker.start();
    await ready(worker, ports.worker);
    await status(j.id, 'notified', 60_000);
    expect(await points(j.id)).toHaveLength(1);
    await eventually(async () => ((await alerts(j.id)).length === 1 ? true : undefined));
  }, 120_000);

  it('keeps accepting jobs while SQS is down, and checks them once it is back', async () => {
    await sqs.stop();
    await eventually(
      async () =>
        (await fetch(`http://127.0.0.1:${ports.gateway}/health/dependencies`)).status === 503
          ? true
          : undefined,
      20_000,
      'the gateway to report SQS down',
    );
    shop.setPrice('dynamic:outage', '42.00');
    const j = await create('outage', '50');
    expect(['pending', 'queued']).toContain(j.status);
    expect((await job(j.id)).id).toBe(j.id);
    await startQueue();
    await ready(gateway, ports.gateway);
    // Due again once the lease of the rescheduler's failed attempt runs out (CHECK_LEASE_SECONDS).
    try {
      await status(j.id, 'notified', 120_000);
    } catch (err) {
      for (const p of [gateway, worker, rescheduler])
        process.stderr.write(`--- ${p.app}\n${p.logs().slice(-3000)}\n`);
      throw err;
    }
    expect(await points(j.id)).toHaveLength(1);
  }, 180_000);
});
