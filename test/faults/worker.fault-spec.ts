import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/apps';
import { sqsClient } from '../support/queues';
import { AnyJson, Api, metric } from './support/api';
import { Figures } from './support/figures';
import { FaultStack, RunningApp } from './support/stack';

/** The grace period the worker gets on SIGTERM in this file. */
const SHUTDOWN_GRACE_MS = 4000;
/** What the worker may take beyond its grace period to exit: release writes, closing, logs. */
const EXIT_SLACK_MS = 3000;

/**
 * The worker's messages and its process: duplicates, poison, kill -9 mid-check and SIGTERM during
 * checks. Gateway, worker and rescheduler run from their bundles; the test sends raw messages to
 * the queue directly and reads everything else through the public API.
 */
describe('the worker under duplicates, poison and process faults', () => {
  let stack: FaultStack;
  let gateway: RunningApp;
  let worker: RunningApp;
  let api: Api;
  let userId: string;
  let sqs: SQSClient;
  const figures = new Figures('worker.fault-spec.ts');

  beforeAll(async () => {
    stack = await FaultStack.start('worker', {
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      // Slow pages on purpose: every check of this file may run at once on the one shop host.
      PER_DOMAIN_CONCURRENCY: '8',
      FETCH_TIMEOUT_MS: '30000',
    });
    [gateway, worker] = await Promise.all([
      stack.startApp('gateway'),
      stack.startApp('scraper-worker'),
      stack.startApp('rescheduler'),
    ]);
    api = await Api.signUp(gateway.url, 'faults-worker');
    userId = (await api.request('GET', '/me')).body.id;
    sqs = sqsClient();
  }, 240_000);

  afterAll(async () => {
    figures.print();
    sqs?.destroy();
    await stack?.stop();
  });

  const product = (sku: string, delayMs = 0) =>
    `${stack.shop.baseUrl}/p/dynamic?sku=${sku}${delayMs ? `&delay=${delayMs}` : ''}`;

  const depth = async (queueUrl: string) => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  /** Every message handled and deleted: none waiting, none in flight. */
  const queueEmpty = () =>
    eventually(
      async () => ((await depth(stack.queue.direct)) === 0 ? true : undefined),
      60_000,
      'the checks queue to be empty',
    );

  const sendRaw = (body: string) =>
    sqs.send(new SendMessageCommand({ QueueUrl: stack.queue.direct, MessageBody: body }));

  const exactlyOne = async (job: AnyJson) => {
    expect(await api.points(job.id)).toHaveLength(1);
    expect(await api.alerts(job.id)).toHaveLength(1);
  };

  it('records a message delivered three times (the gateway’s and two copies) as one check with one alert', async () => {
    stack.shop.setPrice('dynamic:dup', '80.00');
    const job = await api.createJob(product('dup', 1500), '100');
    const body = JSON.stringify({ v: 1, userId, jobId: job.id });
    await Promise.all([sendRaw(body), sendRaw(body)]);
    await api.status(job.id, 'notified');
    await queueEmpty();
    await exactlyOne(job);
    expect(await depth(stack.queue.dlq)).toBe(0);
  });

  it('drops poison messages, keeps the queue flowing, and sends nothing to the DLQ', async () => {
    const droppedBefore = await metric(worker.url, 'worker_messages_dropped_total');
    const poison = [
      'not json {',
      JSON.stringify({ v: 2, userId, jobId: randomUUID() }),
      JSON.stringify({ v: 1, userId: '../../etc', jobId: 'x' }),
      JSON.stringify({ v: 1, userId, jobId: randomUUID(), pad: 'x'.repeat(200_000) }),
      // Well-formed, but no such job, notification or webhook test.
      JSON.stringify({ v: 1, userId, jobId: randomUUID() }),
      JSON.stringify({
        v: 1,
        kind: 'deliver',
        userId,
        createdAt: new Date().toISOString(),
        notificationId: randomUUID(),
      }),
      JSON.stringify({ v: 1, kind: 'webhook_test', userId, testId: randomUUID() }),
      JSON.stringify({ v: 1, kind: 'shell', userId, jobId: randomUUID() }),
      '[]',
    ];
    for (const body of poison) await sendRaw(body);
    stack.shop.setPrice('dynamic:after-poison', '80.00');
    const job = await api.createJob(product('after-poison'), '100');
    await api.status(job.id, 'notified');
    await queueEmpty();
    await exactlyOne(job);
    expect(await depth(stack.queue.dlq)).toBe(0);
    expect((await metric(worker.url, 'worker_messages_dropped_total')) - droppedBefore).toBe(
      poison.length,
    );
  });

  it('completes a check whose worker was killed (kill -9) midway: one price point, one alert', async () => {
    stack.shop.setPrice('dynamic:kill', '90.00');
    // A slow page: the kill lands while the worker waits for it, after its claim.
    const job = await api.createJob(product('kill', 8000), '100');
    await api.status(job.id, 'processing', 20_000);
    await eventually(
      async () => (stack.shop.waiting() === 1 ? true : undefined),
      10_000,
      'the worker to be waiting for the page',
    );
    await worker.proc.stop('SIGKILL');
    expect((await api.job(job.id)).status).toBe('processing');
    expect(await api.points(job.id)).toHaveLength(0);
    await stack.restart(worker);
    // The message comes back after its visibility timeout and resumes its own claim.
    await api.status(job.id, 'notified', 60_000);
    await queueEmpty();
    await exactlyOne(job);
  });

  it(`on SIGTERM lets checks finish within SHUTDOWN_GRACE_MS, releases the rest, records none as failed, and loses none`, async () => {
    const lines: string[] = [];
    let partial = '';
    worker.proc.onOutput((text) => {
      const split = (partial + text).split('\n');
      partial = split.pop() ?? '';
      lines.push(...split);
    });
    // Two pages answer within the grace period, two would outlive it.
    const fast = await Promise.all(
      [0, 1].map((i) => api.createJob(product(`term-fast-${i}`, 2000), '1')),
    );
    const slow = await Promise.all(
      [0, 1].map((i) => api.createJob(product(`term-slow-${i}`, 12_000), '1')),
    );
    const all = [...fast, ...slow];
    for (const job of all) await api.status(job.id, 'processing', 20_000);
    await eventually(
      async () => (stack.shop.waiting() === all.length ? true : undefined),
      10_000,
      'the worker to be waiting for every page',
    );

    const signalled = performance.now();
    await worker.proc.stop('SIGTERM', 60_000);
    const exitMs = performance.now() - signalled;
    figures.add(
      `SIGTERM with 4 checks in flight (2 finish, 2 outlive SHUTDOWN_GRACE_MS ${SHUTDOWN_GRACE_MS}): exit after`,
      exitMs,
    );
    // Nest's shutdown hooks re-raise the signal once they are done: ended by SIGTERM, not killed.
    expect(worker.proc.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(exitMs).toBeLessThanOrEqual(SHUTDOWN_GRACE_MS + EXIT_SLACK_MS);

    // Nothing recorded against any job: the fast ones checked, the slow ones due again, untouched.
    for (const job of fast) {
      const now = await api.job(job.id);
      expect({ id: job.id, status: now.status, outcome: now.lastOutcome }).toEqual({
        id: job.id,
        status: 'active',
        outcome: 'ok',
      });
    }
    for (const job of slow) {
      const now = await api.job(job.id);
      expect({
        id: job.id,
        status: now.status,
        outcome: now.lastOutcome,
        failures: now.consecutiveFailures,
      }).toEqual({ id: job.id, status: 'queued', outcome: undefined, failures: 0 });
      expect(await api.points(job.id)).toHaveLength(0);
    }
    // The log lines of the last writes made it to stdout before the process ended.
    const said = (jobId: string, msg: string) =>
      lines.some((l) => l.includes(jobId) && l.includes(msg));
    for (const job of fast) expect(said(job.id, 'check recorded')).toBe(true);
    for (const job of slow)
      expect(said(job.id, 'check abandoned on shutdown; job released')).toBe(true);
    expect(lines.some((l) => l.includes('shutdown: no check in flight'))).toBe(true);

    // A new worker checks the released ones: nothing lost, nothing counted as a failure.
    const restarted = performance.now();
    await stack.restart(worker);
    for (const job of slow) await api.status(job.id, 'active', 60_000);
    figures.add(
      'SIGTERM: released checks recorded by the restarted worker after',
      performance.now() - restarted,
    );
    for (const job of all) {
      const now = await api.job(job.id);
      expect({ outcome: now.lastOutcome, failures: now.consecutiveFailures }).toEqual({
        outcome: 'ok',
        failures: 0,
      });
      expect(await api.points(job.id)).toHaveLength(1);
    }
    figures.add(
      'SIGTERM: messages in the DLQ afterwards',
      String(await depth(stack.queue.dlq)),
      '',
    );
  });
});
