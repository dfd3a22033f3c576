import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  allDueShards,
  allRedriveShards,
  JobsRepository,
  notificationSk,
  OutboxRepository,
} from '@app/jobs-domain';
import { metricsRegistry } from '@app/platform';
import { loadWorkerConfig } from '../../apps/scraper-worker/src/worker.config';
import { WorkerModule } from '../../apps/scraper-worker/src/worker.module';
import { loadReschedulerConfig } from '../../apps/rescheduler/src/rescheduler.config';
import { ReschedulerCoreModule } from '../../apps/rescheduler/src/rescheduler.module';
import { ReschedulerService } from '../../apps/rescheduler/src/rescheduler.service';
import { FixtureShop, startFixtureShop } from '../fixtures/shop';
import { eventually, RunningApp, startGateway, testEnv, uniqueEmail } from '../support/apps';
import { createTestTable } from '../support/tables';
import { createTestQueue, sqsClient } from '../support/queues';

// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

/**
 * The redrive of alerts whose webhook fails, through the real pieces: gateway, a consuming worker
 * (its egress guard and webhook sender), the rescheduler, dynalite and local-aws-sqs, and a webhook
 * receiver on loopback that fails as the test says. Backoff and give-up are configured short.
 */
describe('alert redrive (integration)', () => {
  let shop: FixtureShop;
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let gw: RunningApp;
  let worker: INestApplicationContext;
  let env: Record<string, string | undefined>;
  /** Gives up after two minutes: long enough never to interfere with the first test. */
  let patient: INestApplicationContext;
  /** Gives up after GIVE_UP_SECONDS. */
  let impatient: INestApplicationContext;
  const GIVE_UP_SECONDS = 8;

  /** Each path of the receiver answers `failures` 5xx first, then 204 (Infinity: never 204). */
  const plans = new Map<string, number>();
  const hits: { path: string; status: number; key?: string }[] = [];
  let hook: http.Server;
  let hookBase: string;

  const api = (path: string) => `${gw.baseUrl}/api/v1${path}`;

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = req.url ?? '';
        const before = hits.filter((h) => h.path === path).length;
        const status = before < (plans.get(path) ?? 0) ? 500 : 204;
        hits.push({
          path,
          status,
          key: req.headers['idempotency-key'] as string | undefined,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    shop = await startFixtureShop();
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'redrive-it', { visibilityTimeout: 5, maxReceiveCount: 3 });
    table = await createTestTable('redrive-it');
    env = testEnv({
      CHECKS_QUEUE_URL: queue.queueUrl,
      JOBS_TABLE_NAME: table.tableName,
      EGRESS_ALLOW_HOSTS: `${shop.hostPort},${new URL(hookBase).host}`,
      MIN_CHECK_INTERVAL_MINUTES: '1',
      SQS_WAIT_TIME_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      HEARTBEAT_SECONDS: '5',
      RETRY_BASE_SECONDS: '0',
      BROWSER_ENABLED: 'false',
      FETCH_TIMEOUT_MS: '3000',
      WEBHOOK_TIMEOUT_MS: '3000',
      ALERT_RETRY_BASE_SECONDS: '1',
      ALERT_RETRY_MAX_DELAY_SECONDS: '2',
      ALERT_GIVE_UP_AFTER_SECONDS: '120',
      // The test drives the rescheduler's runs itself.
      RESCHEDULER_LOOP: 'false',
    });
    gw = await startGateway(env);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadWorkerConfig(env)),
      { logger: false },
    );
    await worker.init();
    patient = await NestFactory.createApplicationContext(
      ReschedulerCoreModule.forRoot(loadReschedulerConfig(env)),
      { logger: false },
    );
    impatient = await NestFactory.createApplicationContext(
      ReschedulerCoreModule.forRoot(
        loadReschedulerConfig({ ...env, ALERT_GIVE_UP_AFTER_SECONDS: String(GIVE_UP_SECONDS) }),
      ),
      { logger: false },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await patient?.close();
    await impatient?.close();
    await gw?.close();
    await queue?.dispose();
    await table?.dispose();
    await shop?.close();
    sqs?.destroy();
    await new Promise((r) => hook?.close(r));
  });

  /** A signed-in user whose webhook is `hookBase + path`. */
  async function userWithWebhook(path: string): Promise<Record<string, string>> {
    const email = uniqueEmail('redrive');
    const body = JSON.stringify({ email, password: 'long enough pw' });
    const headers = { 'content-type': 'application/json' };
    await fetch(api('/signup'), { method: 'POST', headers, body });
    const session = (await (
      await fetch(api('/signin'), { method: 'POST', headers, body })
    ).json()) as AnyJson;
    const auth = { ...headers, authorization: `Bearer ${session.accessToken}` };
    const me = await fetch(api('/me'), {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ webhookUrl: `${hookBase}${path}` }),
    });
    expect(me.status).toBe(200);
    return auth;
  }

  /** A job whose first check notifies (the price is under the target). */
  async function notifiedJob(auth: Record<string, string>): Promise<string> {
    shop.setPrice('opengraph', '89.50');
    const res = await fetch(api('/jobs'), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        url: `${shop.baseUrl}/p/opengraph`,
        targetPrice: '90',
        checkIntervalMinutes: 1,
      }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as AnyJson).id;
  }

  const alertOf = async (auth: Record<string, string>, jobId: string): Promise<AnyJson> => {
    const list = (await (
      await fetch(api('/notifications?limit=100'), { headers: auth })
    ).json()) as AnyJson;
    return list.notifications.find((n: { jobId: string }) => n.jobId === jobId);
  };

  const undeliveredGauge = async () =>
    (await metricsRegistry.getSingleMetric('rescheduler_alerts_undelivered')!.get()).values[0]
      ?.value;

  /**
   * Nothing on the queue or in flight: every message sent so far was handled. The test runs the
   * rescheduler only then, so no two attempts overlap (with the production base wait of a minute
   * they would not either; with one second, a slow machine could make a lease end mid-attempt).
   */
  const queueSettled = async () => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages) +
      Number(a.ApproximateNumberOfMessagesNotVisible) ===
      0
      ? true
      : undefined;
  };

  it('retries a failing webhook with backoff until it answers: one successful delivery, marked, gauge back to 0', async () => {
    plans.set('/flaky', 2);
    const auth = await userWithWebhook('/flaky');
    const jobId = await notifiedJob(auth);
    // The check's own attempt fails; the check is recorded all the same.
    await eventually(
      async () => (hits.some((h) => h.path === '/flaky') ? true : undefined),
      30_000,
      'the first attempt',
    );
    const pending = await eventually(async () => {
      const a = await alertOf(auth, jobId);
      return a?.lastDeliveryError ? a : undefined;
    });
    expect(pending).toMatchObject({
      deliveryStatus: 'pending',
      lastDeliveryError: 'webhook answered 500',
      channels: ['outbox'],
    });
    expect(pending.deliveredAt).toBeUndefined();

    const service = patient.get(ReschedulerService);
    let sawUndelivered = 0;
    const delivered = await eventually(
      async () => {
        if (!(await queueSettled())) return undefined;
        const report = await service.runOnce();
        sawUndelivered = Math.max(sawUndelivered, report.alerts.undelivered);
        const a = await alertOf(auth, jobId);
        return a?.deliveredAt ? a : undefined;
      },
      45_000,
      'the alert to be delivered',
    );
    expect(sawUndelivered).toBe(1);
    expect(delivered).toMatchObject({
      deliveryStatus: 'delivered',
      channels: ['outbox', 'webhook'],
      deliveryAttempts: 3,
    });
    expect(delivered.lastDeliveryError).toBeUndefined();
    expect(delivered.nextAttemptAt).toBeUndefined();

    const flaky = hits.filter((h) => h.path === '/flaky');
    expect(flaky.map((h) => h.status)).toEqual([500, 500, 204]);
    expect(new Set(flaky.map((h) => h.key))).toEqual(new Set([delivered.id]));

    const after = await service.runOnce();
    expect(after.alerts).toMatchObject({ due: 0, undelivered: 0 });
    expect(await undeliveredGauge()).toBe(0);
    await eventually(queueSettled, 20_000, 'the queue to settle');
    expect(hits.filter((h) => h.path === '/flaky')).toHaveLength(3);
  });

  it('gives up an alert whose webhook keeps failing after the retry period, and sends it no more', async () => {
    plans.set('/down', Number.POSITIVE_INFINITY);
    const auth = await userWithWebhook('/down');
    const jobId = await notifiedJob(auth);
    const service = impatient.get(ReschedulerService);

    const failed = await eventually(
      async () => {
        if (!(await queueSettled())) return undefined;
        await service.runOnce();
        const a = await alertOf(auth, jobId);
        return a?.gaveUpAt ? a : undefined;
      },
      45_000,
      'the alert to be given up',
    );
    expect(failed).toMatchObject({
      deliveryStatus: 'failed',
      lastDeliveryError: 'webhook answered 500',
    });
    expect(failed.deliveredAt).toBeUndefined();
    expect(failed.nextAttemptAt).toBeUndefined();
    const created = Date.parse(failed.createdAt);
    expect(Date.parse(failed.gaveUpAt)).toBeGreaterThanOrEqual(created + GIVE_UP_SECONDS * 1000);
    // Tried more than once meanwhile, with backoff.
    const down = () => hits.filter((h) => h.path === '/down');
    expect(down().length).toBeGreaterThanOrEqual(2);
    expect(failed.deliveryAttempts).toBeGreaterThanOrEqual(down().length);

    // An attempt already sent when it was given up may still land; after that, nothing more.
    await eventually(queueSettled, 20_000, 'the queue to settle');
    const sends = down().length;
    const quietUntil = Date.now() + 2 * 2000 + 1000; // two longest waits and then some
    const reports = [];
    while (Date.now() < quietUntil) {
      reports.push((await service.runOnce()).alerts);
      await new Promise((r) => setTimeout(r, 200)); // a run every 200 ms over the quiet period
    }
    expect(reports.length).toBeGreaterThan(3);
    for (const r of reports) expect(r).toMatchObject({ due: 0, resent: 0, undelivered: 0 });
    await eventually(queueSettled, 20_000, 'the queue to settle');
    expect(down()).toHaveLength(sends);
    expect(await undeliveredGauge()).toBe(0);
    expect(await alertOf(auth, jobId)).toMatchObject({ deliveryStatus: 'failed' });
  });

  it("keeps alerts out of the jobs' due queries, and claims a due alert once when runs overlap", async () => {
    const outbox = patient.get(OutboxRepository);
    const jobs = patient.get(JobsRepository);
    const userId = 'redrive-repo-user';
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const sk = notificationSk(createdAt, 'repo-alert');
    await outbox.put(
      userId,
      sk,
      {
        notificationId: 'repo-alert',
        createdAt,
        jobId: 'repo-job',
        url: 'https://shop.example.com/p',
        price: '9.00',
        targetPrice: '10.00',
        currency: 'EUR',
        channels: [],
      },
      Date.now() - 1,
    );
    const now = Date.now();
    for (const shard of allDueShards(Number(env.DUE_SHARDS ?? 8))) {
      const page = await jobs.queryDue(shard, now, 100);
      expect(page.keys.map((k) => k.userId)).not.toContain(userId);
    }
    const found = [];
    for (const shard of allRedriveShards(Number(env.DUE_SHARDS ?? 8)))
      found.push(...(await outbox.queryDueRedrives(shard, now, 100)).alerts);
    expect(found).toEqual([
      expect.objectContaining({ userId, sk, createdAtMs: Date.parse(createdAt) }),
    ]);

    const lease = now + 60_000;
    const claims = await Promise.all(
      [1, 2, 3].map(() => outbox.claimRedrive(userId, sk, now, lease)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Leased: not due, so neither claimed again nor given up before the lease ends.
    expect(await outbox.claimRedrive(userId, sk, now, lease)).toBe(false);
    expect(await outbox.giveUp(userId, sk, now)).toBe(false);
    expect(await outbox.get(userId, sk)).toMatchObject({
      deliveryAttempts: 2,
      nextAttemptAt: new Date(lease).toISOString(),
    });
    // A release for another lease does nothing; for its own, makes it due again as before.
    expect(await outbox.releaseRedrive(userId, sk, lease + 1, now - 1)).toBe(false);
    expect(await outbox.releaseRedrive(userId, sk, lease, now - 1)).toBe(true);
    expect(await outbox.giveUp(userId, sk, now)).toBe(true);
    const given = await outbox.get(userId, sk);
    expect(given?.gaveUpAt).toEqual(expect.any(String));
    expect(given?.nextAttemptAt).toBeUndefined();
    expect(await outbox.claimRedrive(userId, sk, Date.now(), lease)).toBe(false);
    let undelivered = 0;
    for (const shard of allRedriveShards(Number(env.DUE_SHARDS ?? 8)))
      undelivered += await outbox.countUndelivered(shard);
    expect(undelivered).toBe(0);
  });
});
