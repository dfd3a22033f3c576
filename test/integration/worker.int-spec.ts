import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Job, JobsRepository } from '@app/jobs-domain';
import { loadWorkerConfig } from '../../apps/scraper-worker/src/worker.config';
import { WorkerModule } from '../../apps/scraper-worker/src/worker.module';
import {
  CheckAbandonedError,
  CheckService,
} from '../../apps/scraper-worker/src/checks/check.service';
import { PAGE_CHECKER } from '../../apps/scraper-worker/src/checks/tokens';
import { loadReschedulerConfig } from '../../apps/rescheduler/src/rescheduler.config';
import { ReschedulerCoreModule } from '../../apps/rescheduler/src/rescheduler.module';
import { ReschedulerService } from '../../apps/rescheduler/src/rescheduler.service';
import { FixtureShop, startFixtureShop } from '../fixtures/shop';
import { eventually, RunningApp, startGateway, testEnv, uniqueEmail } from '../support/apps';
import { createTestTable } from '../support/tables';
import { createTestQueue, drain, sqsClient } from '../support/queues';

// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

/**
 * The worker through the real queue and table: a job goes pending → processing → active, and to
 * notified when the price drops; duplicates, deletions, crashes and poison messages.
 */
describe('scraper worker (integration)', () => {
  let shop: FixtureShop;
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  let gw: RunningApp;
  let worker: INestApplicationContext | undefined;
  /** The same module without the SQS consumer: its CheckService is driven by hand. */
  let direct: INestApplicationContext;
  let scheduler: INestApplicationContext;
  let env: Record<string, string | undefined>;
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let auth: Record<string, string>;
  let userId: string;

  const api = (path: string) => `${gw.baseUrl}/api/v1${path}`;
  const repo = () => direct.get(JobsRepository);

  /** A stand-in for a user's webhook endpoint (Discord/Slack-style), recording what it receives. */
  let hook: http.Server;
  let hookUrl: string;
  const received: { body: AnyJson; key: string | undefined }[] = [];
  /** Product pages at GET /held/<tag> on the same server: each answers when the test releases it. */
  const held = new Map<string, () => void>();
  const heldPage = (price: string) =>
    `<html><head><title>Held</title><script type="application/ld+json">${JSON.stringify({
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: 'Held product',
      offers: { '@type': 'Offer', price, priceCurrency: 'USD' },
    })}</script></head><body>Held product</body></html>`;

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      const heldTag = req.method === 'GET' ? /^\/held\/([\w-]+)$/.exec(req.url ?? '')?.[1] : null;
      if (heldTag) {
        held.set(heldTag, () => {
          if (!res.headersSent && !res.destroyed)
            res.writeHead(200, { 'content-type': 'text/html' }).end(heldPage('42.00'));
        });
        return;
      }
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({
          body: JSON.parse(data),
          key: req.headers['idempotency-key'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    shop = await startFixtureShop();
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'worker-it', { visibilityTimeout: 5, maxReceiveCount: 3 });
    // Its rescheduler runs must see only this file's jobs (see createTestTable).
    table = await createTestTable('worker-it');
    env = testEnv({
      CHECKS_QUEUE_URL: queue.queueUrl,
      JOBS_TABLE_NAME: table.tableName,
      // The webhook goes through the egress guard like any page.
      EGRESS_ALLOW_HOSTS: `${shop.hostPort},${new URL(hookUrl).host}`,
      MIN_CHECK_INTERVAL_MINUTES: '1',
      SQS_WAIT_TIME_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      HEARTBEAT_SECONDS: '5',
      RETRY_BASE_SECONDS: '0',
      BROWSER_ENABLED: 'false',
      FETCH_TIMEOUT_MS: '3000',
    });
    gw = await startGateway(env);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadWorkerConfig(env)),
      {
        logger: false,
      },
    );
    await worker.init();
    direct = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadWorkerConfig(env), { consume: false }),
      { logger: false },
    );
    scheduler = await NestFactory.createApplicationContext(
      ReschedulerCoreModule.forRoot(loadReschedulerConfig(env)),
      {
        logger: false,
      },
    );
    const email = uniqueEmail('worker');
    await fetch(api('/signup'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'long enough pw' }),
    });
    const session = (await (
      await fetch(api('/signin'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'long enough pw' }),
      })
    ).json()) as AnyJson;
    auth = { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' };
    userId = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString()).sub;
  });

  afterAll(async () => {
    await worker?.close();
    await direct?.close();
    await scheduler?.close();
    await gw?.close();
    await queue?.dispose();
    await table?.dispose();
    await shop?.close();
    sqs?.destroy();
    await new Promise((r) => hook?.close(r));
  });

  async function createJob(
    slug: string,
    targetPrice: string,
    extra: object = {},
  ): Promise<AnyJson> {
    const res = await fetch(api('/jobs'), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        url: `${shop.baseUrl}/p/${slug}`,
        targetPrice,
        checkIntervalMinutes: 1,
        ...extra,
      }),
    });
    expect(res.status).toBe(202);
    return res.json();
  }
  const getJob = async (id: string): Promise<AnyJson> =>
    (await fetch(api(`/jobs/${id}`), { headers: auth })).json();
  const history = async (id: string): Promise<AnyJson> =>
    (await fetch(api(`/jobs/${id}/history`), { headers: auth })).json();
  const checksOf = async (id: string): Promise<AnyJson> =>
    (await fetch(api(`/jobs/${id}/checks`), { headers: auth })).json();
  const notificationsFor = async (id: string) => {
    const all = (await (
      await fetch(api('/notifications?limit=100'), { headers: auth })
    ).json()) as AnyJson;
    return all.notifications.filter((n: { jobId: string }) => n.jobId === id);
  };
  const waitForStatus = (id: string, statuses: string[], what = statuses.join('|')) =>
    eventually(
      async () => {
        const j = await getJob(id);
        return statuses.includes(j.status) ? j : undefined;
      },
      20_000,
      `job ${id} to be ${what}`,
    );

  /** Makes the job due now (as time would) and runs the rescheduler once. */
  async function makeDueAndReschedule(id: string): Promise<void> {
    const job = (await repo().get(userId, id, true)) as Job;
    await repo().transition(job, { set: { nextCheckAt: Date.now() - 1 } });
    const report = await scheduler.get(ReschedulerService).runOnce();
    expect(report.claimed).toBeGreaterThanOrEqual(1);
  }

  it('checks a new job: pending → processing → active, with a price point', async () => {
    shop.setPrice('jsonld', '199.99');
    const job = await createJob('jsonld', '150');
    const active = await waitForStatus(job.id, ['active']);
    expect(active).toMatchObject({
      lastPrice: '199.99',
      lastOutcome: 'ok',
      lastSource: 'jsonld',
      consecutiveFailures: 0,
    });
    expect(Date.parse(active.nextCheckAt)).toBeGreaterThan(Date.now() + 30_000);
    const h = await history(job.id);
    expect(h.points).toHaveLength(1);
    expect(h.points[0]).toMatchObject({ price: '199.99', currency: 'USD', source: 'jsonld' });
    // The same check in the list of every check, with its outcome and how long it took.
    expect((await checksOf(job.id)).checks).toEqual([
      expect.objectContaining({
        id: h.points[0].id,
        outcome: 'ok',
        price: '199.99',
        currency: 'USD',
        checkedAt: active.lastCheckedAt,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(await notificationsFor(job.id)).toHaveLength(0);
  });

  it('notifies once when the price drops to the target, and never for a price above it', async () => {
    shop.setPrice('dynamic', '749.00');
    const job = await createJob('dynamic', '700');
    await waitForStatus(job.id, ['active']);
    expect(await notificationsFor(job.id)).toHaveLength(0);

    shop.setPrice('dynamic', '699.99');
    await makeDueAndReschedule(job.id);
    const notified = await waitForStatus(job.id, ['notified']);
    expect(notified.lastPrice).toBe('699.99');
    expect(notified.nextCheckAt).toBeUndefined();
    const notes = await eventually(async () => {
      const n = await notificationsFor(job.id);
      return n.length > 0 && n[0].deliveredAt ? n : undefined;
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      price: '699.99',
      targetPrice: '700.00',
      currency: 'USD',
      channels: ['outbox'],
    });
    expect((await history(job.id)).points.map((p: { price: string }) => p.price)).toEqual([
      '699.99',
      '749.00',
    ]);

    // PATCHing the target re-arms it; the next check at a higher price does not notify again.
    shop.setPrice('dynamic', '720.00');
    const rearmed = (await (
      await fetch(api(`/jobs/${job.id}`), {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ targetPrice: '650' }),
      })
    ).json()) as AnyJson;
    expect(rearmed.status).toBe('active');
    await makeDueAndReschedule(job.id);
    await eventually(async () => ((await history(job.id)).points.length === 3 ? true : undefined));
    // The price point is written before the job (the job write is the check's commit point), so
    // the job may still read 'processing' here: wait for the check to commit, then read its state.
    const checked = await waitForStatus(
      job.id,
      ['active', 'notified', 'failed', 'paused'],
      'checked',
    );
    expect(checked.status).toBe('active');
    expect(await notificationsFor(job.id)).toHaveLength(1);
  });

  it("delivers the alert to the user's webhook once, in a Discord/Slack-compatible body", async () => {
    const me = await fetch(api('/me'), {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ webhookUrl: hookUrl }),
    });
    expect(me.status).toBe(200);
    try {
      shop.setPrice('opengraph', '89.50');
      const job = await createJob('opengraph', '90');
      await waitForStatus(job.id, ['notified']);
      const [note] = await eventually(async () => {
        const n = await notificationsFor(job.id);
        return n[0]?.deliveredAt ? n : undefined;
      });
      expect(note.channels).toEqual(['outbox', 'webhook']);
      expect(received).toHaveLength(1);
      expect(received[0].key).toBe(note.id);
      expect(received[0].body.content).toMatch(/89\.50 USD/);
      expect(received[0].body.text).toBe(received[0].body.content);
      expect(received[0].body.pricewatch).toMatchObject({
        jobId: job.id,
        price: '89.50',
        targetPrice: '90.00',
      });
      // A redelivery of the check's message does not call the webhook again.
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: JSON.stringify({ v: 1, userId, jobId: job.id }),
        }),
      );
      await eventually(
        async () => ((await drain(sqs, queue.queueUrl, 0)).length === 0 ? true : undefined),
        20_000,
        'queue to empty',
      );
      expect(received).toHaveLength(1);
    } finally {
      await fetch(api('/me'), {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ webhookUrl: null }),
      });
    }
  });

  it('records a duplicate delivery once: one price point, one notification', async () => {
    shop.setPrice('microdata', '59.00');
    const job = await createJob('microdata', '60');
    // a second message for the same job while the first is (or was) on the queue
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: JSON.stringify({ v: 1, userId, jobId: job.id }),
      }),
    );
    await waitForStatus(job.id, ['notified']);
    await eventually(
      async () => ((await drain(sqs, queue.queueUrl, 0)).length === 0 ? true : undefined),
      20_000,
      'queue to empty',
    );
    expect((await history(job.id)).points).toHaveLength(1);
    expect(await notificationsFor(job.id)).toHaveLength(1);
  });

  it('records failures with a reason and never alerts on them', async () => {
    const cases: [string, string][] = [
      ['captcha', 'blocked'],
      ['rate-limited', 'blocked'],
      ['unavailable', 'blocked'],
      ['out-of-stock', 'out_of_stock'],
      ['redirect-metadata', 'fetch_error'],
      ['redirect-internal', 'fetch_error'],
    ];
    const jobs = await Promise.all(cases.map(([slug]) => createJob(slug, '100000')));
    const gbp = await createJob('gbp', '100000', { currency: 'EUR' });
    for (const [i, [, outcome]] of cases.entries()) {
      const j = await waitForStatus(jobs[i].id, ['active']);
      expect(j.lastOutcome).toBe(outcome);
      expect(j.failureReason).toEqual(expect.any(String));
      expect((await history(jobs[i].id)).points).toHaveLength(0);
      // The check is recorded all the same, with its outcome and reason, for the checks table.
      const recorded = (await checksOf(jobs[i].id)).checks;
      expect(recorded).toEqual([
        expect.objectContaining({
          outcome,
          checkedAt: j.lastCheckedAt,
          reason: j.failureReason,
          durationMs: expect.any(Number),
        }),
      ]);
      expect(recorded[0].price).toBeUndefined();
      if (outcome === 'out_of_stock') expect(recorded[0].availability).toBe('OutOfStock');
      expect(await notificationsFor(jobs[i].id)).toHaveLength(0);
    }
    const g = await waitForStatus(gbp.id, ['active']);
    expect(g.lastOutcome).toBe('currency_mismatch');
    expect(await notificationsFor(gbp.id)).toHaveLength(0);
    expect(shop.requests('internal')).toBe(0);
  });

  it('records price_uncertain with both prices and never alerts when markup and buy box disagree', async () => {
    // Both amounts are below the target: an alert on either would be a false one.
    const job = await createJob('uncertain', '100000', { currency: 'USD' });
    const j = await waitForStatus(job.id, ['active']);
    expect(j.lastOutcome).toBe('price_uncertain');
    expect(j.priceCandidates).toEqual([
      { price: '52.00', currency: 'USD', source: 'jsonld' },
      { price: '64.00', currency: 'USD', source: 'heuristic' },
    ]);
    expect(j.failureReason).toContain('52.00 USD (jsonld) vs 64.00 USD (heuristic)');
    expect(j.lastPrice).toBeUndefined();
    expect((await history(job.id)).points).toHaveLength(0);
    expect(await notificationsFor(job.id)).toHaveLength(0);
  });

  it('drops a poison message and keeps going', async () => {
    for (const body of [
      'not json',
      '{"v":1}',
      JSON.stringify({ v: 1, userId: 'x', jobId: '../../etc' }),
      JSON.stringify({ v: 99, userId: 'a', jobId: 'b' }),
    ]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
    }
    shop.setPrice('opengraph', '89.50');
    const job = await createJob('opengraph', '50');
    await waitForStatus(job.id, ['active']);
    await eventually(
      async () => ((await drain(sqs, queue.queueUrl, 0)).length === 0 ? true : undefined),
      20_000,
      'queue to empty',
    );
    expect(await drain(sqs, queue.dlqUrl, 0)).toHaveLength(0);
  });
  describe('driven by hand, with the consuming worker stopped', () => {
    beforeAll(async () => {
      await worker?.close();
      worker = undefined;
      await drain(sqs, queue.queueUrl, 0);
    });

    /** Makes the job due, lets the rescheduler enqueue it, and takes that message off the queue. */
    async function enqueueAndTake(id: string) {
      await makeDueAndReschedule(id);
      const messages = await drain(sqs, queue.queueUrl, 60);
      const mine = messages.find((m) => JSON.parse(m.Body!).jobId === id);
      expect(mine).toBeDefined();
      return mine!;
    }

    it('does not recreate a job deleted while its message waits', async () => {
      const job = await createJob('opengraph', '10');
      expect(
        (await fetch(api(`/jobs/${job.id}`), { method: 'DELETE', headers: auth })).status,
      ).toBe(204);
      // The message as it waits on the queue (the one the gateway sent may already be gone with
      // the stopping consumer's last poll; its handling is the same).
      const message = {
        MessageId: `waiting-${job.id}`,
        Body: JSON.stringify({ v: 1, userId, jobId: job.id }),
      };
      expect(await direct.get(CheckService).handle(message)).toBe('dropped');
      expect(await repo().get(userId, job.id, true)).toBeNull();
      expect((await fetch(api(`/jobs/${job.id}`), { headers: auth })).status).toBe(404);
      expect(await history(job.id)).toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    });

    it('resumes a check whose worker died after claiming it, and completes it once', async () => {
      shop.setPrice('amazon', '329.99');
      const created = await createJob('amazon', '100');
      const first = await eventually(
        async () =>
          (await drain(sqs, queue.queueUrl, 60)).find(
            (m) => JSON.parse(m.Body!).jobId === created.id,
          ),
        30_000,
        'the job message',
      );
      const service = direct.get(CheckService);
      expect(await service.handle(first)).toBe('checked');
      const message = await enqueueAndTake(created.id);
      // The dead worker: claimed the job with this message, then vanished before writing.
      const queued = (await repo().get(userId, created.id, true)) as Job;
      await repo().transition(queued, {
        set: {
          status: 'processing',
          claimMessageId: message.MessageId,
          nextCheckAt: Date.now() + 60_000,
        },
      });
      const before = (await history(created.id)).points.length;
      // Another message for the same job may not start a second check meanwhile.
      expect(await service.handle({ ...message, MessageId: 'another-message' })).toBe('dropped');
      // The redelivery of the dead worker's message resumes and completes the check, once.
      expect(await service.handle(message)).toBe('checked');
      expect(await service.handle(message)).toBe('dropped');
      expect((await history(created.id)).points.length).toBe(before + 1);
      expect((await getJob(created.id)).status).toBe('active');
    });

    it('leaves the message for redelivery when the check fails midway, and checks once later', async () => {
      shop.setPrice('pccomponentes', '1299.99');
      const created = await createJob('pccomponentes', '1000', { currency: 'EUR' });
      const first = await eventually(
        async () =>
          (await drain(sqs, queue.queueUrl, 60)).find(
            (m) => JSON.parse(m.Body!).jobId === created.id,
          ),
        30_000,
        'the job message',
      );
      const service = direct.get(CheckService);
      expect(await service.handle(first)).toBe('checked');
      expect((await getJob(created.id)).lastPrice).toBe('1299.99');
      const message = await enqueueAndTake(created.id);
      const checker = direct.get<{ check: unknown }>(PAGE_CHECKER);
      // Fault injection: the page check dies after the claim (a browser crash, an OOM kill).
      checker.check = jest.fn().mockRejectedValue(new Error('browser crashed'));
      const points = (await history(created.id)).points.length;
      try {
        await expect(service.handle(message)).rejects.toThrow('browser crashed');
      } finally {
        delete (checker as { check?: unknown }).check;
      }
      expect((await getJob(created.id)).status).toBe('processing');
      expect((await history(created.id)).points.length).toBe(points);
      expect(await service.handle(message)).toBe('checked');
      expect((await history(created.id)).points.length).toBe(points + 1);
      expect(await notificationsFor(created.id)).toHaveLength(0);
    });

    it('checks a new job whose lease the gateway wrote between the read and the claim', async () => {
      shop.setPrice('jsonld', '49.99');
      const created = await createJob('jsonld', '10');
      const message = await eventually(
        async () =>
          (await drain(sqs, queue.queueUrl, 60)).find(
            (m) => JSON.parse(m.Body!).jobId === created.id,
          ),
        30_000,
        'the job message',
      );
      // The creation race: put the job back as the gateway had it before its lease write, and make
      // that write land right after the worker's read, so the worker's claim loses it.
      const now = (await repo().get(userId, created.id, true)) as Job;
      const pending = await repo().transition(now, { set: { status: 'pending' } });
      const jobs = repo();
      const read = jobs.get.bind(jobs);
      let raced = false;
      const spy = jest.spyOn(jobs, 'get').mockImplementation(async (...args) => {
        const seen = await read(...args);
        if (!raced && seen?.status === 'pending') {
          raced = true;
          await jobs.transition(
            pending,
            { set: { status: 'queued', nextCheckAt: Date.now() + 900_000 } },
            ['pending'],
          );
        }
        return seen;
      });
      try {
        expect(await direct.get(CheckService).handle(message)).toBe('checked');
      } finally {
        spy.mockRestore();
      }
      expect(raced).toBe(true);
      const checked = await getJob(created.id);
      expect(checked).toMatchObject({ status: 'active', lastPrice: '49.99' });
    });

    it('on shutdown abandons a check before its commit point: job released, nothing recorded', async () => {
      shop.setPrice('opengraph', '75.25');
      const created = await createJob('opengraph', '10');
      const message = await eventually(
        async () =>
          (await drain(sqs, queue.queueUrl, 60)).find(
            (m) => JSON.parse(m.Body!).jobId === created.id,
          ),
        30_000,
        'the job message',
      );
      const before = (await repo().get(userId, created.id, true)) as Job;
      const checker = direct.get<{ check: unknown }>(PAGE_CHECKER);
      const shutdown = new AbortController();
      // A page that answers only when aborted, as a fetch torn down by the shutdown does.
      checker.check = jest.fn(
        (_job: Job, signal: AbortSignal) =>
          new Promise((resolve) =>
            signal.addEventListener('abort', () =>
              resolve({
                path: 'http',
                observation: { outcome: 'fetch_error', reason: 'aborted' },
              }),
            ),
          ),
      );
      const service = direct.get(CheckService);
      try {
        const running = service.handle(message, shutdown.signal);
        await eventually(
          async () =>
            (await repo().get(userId, created.id, true))?.status === 'processing'
              ? true
              : undefined,
          10_000,
          'the claim',
        );
        shutdown.abort();
        await expect(running).rejects.toBeInstanceOf(CheckAbandonedError);
      } finally {
        delete (checker as { check?: unknown }).check;
      }
      const released = (await repo().get(userId, created.id, true)) as Job;
      expect(released.status).toBe('queued');
      expect(released.claimMessageId).toBeUndefined();
      expect(released.nextCheckAt).toBeLessThanOrEqual(Date.now());
      expect(released.consecutiveFailures).toBe(before.consecutiveFailures);
      expect(released.lastOutcome).toBeUndefined();
      expect((await history(created.id)).points).toHaveLength(0);
      // The same message, delivered again, now checks it.
      expect(await service.handle(message)).toBe('checked');
      expect((await getJob(created.id)).lastPrice).toBe('75.25');
    });
  });

  describe('a consuming worker with pages that answer when the test says so', () => {
    let consumer: INestApplicationContext | undefined;

    beforeAll(async () => {
      // Only this block's consumers may receive (also when it runs alone, with -t).
      await worker?.close();
      worker = undefined;
      await drain(sqs, queue.queueUrl, 0);
    });

    afterAll(async () => {
      for (const release of held.values()) release();
      await consumer?.close();
    });

    async function startConsumer(overrides: Record<string, string>) {
      consumer = await NestFactory.createApplicationContext(
        WorkerModule.forRoot(
          loadWorkerConfig({
            ...env,
            FETCH_TIMEOUT_MS: '60000',
            WORKER_CONCURRENCY: '4',
            PER_DOMAIN_CONCURRENCY: '4',
            ...overrides,
          }),
        ),
        { logger: false },
      );
      await consumer.init();
    }

    const heldUrl = (tag: string) => `${hookUrl.replace(/\/hook$/, '')}/held/${tag}`;
    const waitHeld = (tag: string) =>
      eventually(async () => (held.has(tag) ? true : undefined), 20_000, `the request for ${tag}`);

    it('lets one slow page delay only itself: other checks go on meanwhile', async () => {
      await startConsumer({});
      const slow = await createJob('x', '10', { url: heldUrl('slow'), currency: 'USD' });
      await waitHeld('slow');
      shop.setPrice('jsonld', '199.99');
      const fast = await createJob('jsonld', '150');
      // The slow page has not answered, so a worker waiting for it could not have checked this.
      await waitForStatus(fast.id, ['active']);
      expect((await getJob(slow.id)).status).toBe('processing');
      held.get('slow')!();
      const done = await waitForStatus(slow.id, ['active']);
      expect(done).toMatchObject({ lastPrice: '42.00', lastOutcome: 'ok' });
      await consumer!.close();
      consumer = undefined;
    });

    it('on close after the grace period gives the message back at once: a new worker receives it promptly and checks the job once', async () => {
      // No heartbeat during the test: local-aws-sqs counts each visibility change as a receive. The
      // grace outlasts a long poll (1 s): a receive aborted on stop still runs on the server until its
      // wait ends, and one still running when the message is given back would take it.
      const timing = {
        SHUTDOWN_GRACE_MS: '5000',
        VISIBILITY_TIMEOUT_SECONDS: '60',
        HEARTBEAT_SECONDS: '50',
      };
      await startConsumer(timing);
      const job = await createJob('x', '10', { url: heldUrl('abandoned'), currency: 'USD' });
      await waitHeld('abandoned');
      const claimed = await repo().get(userId, job.id, true);
      expect(claimed).toMatchObject({ status: 'processing' });
      const messageId = claimed!.claimMessageId;
      held.delete('abandoned');

      // The page never answers within the grace period: the check is abandoned on close.
      await consumer!.close();
      consumer = undefined;
      const released = (await repo().get(userId, job.id, true)) as Job;
      expect(released).toMatchObject({ status: 'queued', consecutiveFailures: 0 });
      expect(released.claimMessageId).toBeUndefined();
      expect(released.lastOutcome).toBeUndefined();
      expect(released.nextCheckAt).toBeLessThanOrEqual(Date.now());
      expect((await history(job.id)).points).toHaveLength(0);

      // A new worker gets the same message well before its 60 s visibility timeout would have
      // brought it back: it was made visible at once, and not moved to the DLQ.
      await startConsumer(timing);
      await eventually(
        async () => (held.has('abandoned') ? true : undefined),
        15_000,
        'the new worker to receive the message',
      );
      expect((await repo().get(userId, job.id, true))?.claimMessageId).toBe(messageId);
      held.get('abandoned')!();
      const done = await waitForStatus(job.id, ['active']);
      expect(done).toMatchObject({ lastPrice: '42.00', lastOutcome: 'ok', consecutiveFailures: 0 });
      expect((await history(job.id)).points).toHaveLength(1);
      expect(await drain(sqs, queue.dlqUrl, 0)).toHaveLength(0);
      await consumer!.close();
      consumer = undefined;
    });

    it('on close lets a check finish within the grace period, and records it', async () => {
      await startConsumer({ SHUTDOWN_GRACE_MS: '20000' });
      const job = await createJob('x', '10', { url: heldUrl('finishes'), currency: 'USD' });
      await waitHeld('finishes');
      const closing = consumer!.close();
      consumer = undefined;
      held.get('finishes')!();
      await closing;
      expect(await getJob(job.id)).toMatchObject({
        status: 'active',
        lastPrice: '42.00',
        consecutiveFailures: 0,
      });
    });
  });
});
