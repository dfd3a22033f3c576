import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually } from '../support/apps';
import { drain, sqsClient } from '../support/queues';
import { Api, metric } from './support/api';
import { FaultProxy } from './support/fault-proxy';
import { FaultStack, RunningApp } from './support/stack';

/**
 * Two rescheduler loops over one table at once (two replicas, or a slow run overlapping the next):
 * each due job is enqueued once per due time, and checked and alerted once.
 */
describe('two reschedulers at once', () => {
  const JOBS = 12;
  let stack: FaultStack;
  let gateway: RunningApp;
  let reschedulers: RunningApp[];
  let sqs: SQSClient;
  let gatewaySqs: FaultProxy;
  let api: Api;

  beforeAll(async () => {
    stack = await FaultStack.start('resched', {
      // Runs every second and a lease longer than the test: a second enqueue of a job within the
      // lease could only come from two runs claiming it at once.
      RESCHEDULE_INTERVAL_SECONDS: '1',
      CHECK_LEASE_SECONDS: '120',
    });
    // The gateway's own way to SQS is refused, so new jobs stay due for the reschedulers alone.
    gatewaySqs = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_SQS!);
    gatewaySqs.refuse();
    const queueUrl = new URL(stack.queue.direct);
    queueUrl.host = gatewaySqs.hostPort;
    gateway = await stack.startApp(
      'gateway',
      { AWS_ENDPOINT_URL_SQS: gatewaySqs.endpoint, CHECKS_QUEUE_URL: queueUrl.href },
      { needs: ['postgres', 'dynamodb'] },
    );
    api = await Api.signUp(gateway.url, 'faults-resched');
    sqs = sqsClient();
  }, 240_000);

  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
    await gatewaySqs?.close();
  });

  const runs = (app: RunningApp) => metric(app.url, 'rescheduler_run_duration_seconds_count');

  it('enqueues each due job once, and the worker checks and alerts each once', async () => {
    for (let i = 0; i < JOBS; i++) stack.shop.setPrice(`dynamic:twice-${i}`, '10.00');
    const jobs = [];
    for (let i = 0; i < JOBS; i++) {
      const job = await api.createJob(`${stack.shop.baseUrl}/p/dynamic?sku=twice-${i}`, '20');
      expect(job.status).toBe('pending');
      jobs.push(job);
    }
    reschedulers = await Promise.all([
      stack.startApp('rescheduler'),
      stack.startApp('rescheduler'),
    ]);
    for (const job of jobs) await api.status(job.id, 'queued');
    // Both keep running over the leased jobs for a while: three more runs each.
    const after = await Promise.all(reschedulers.map(runs));
    await eventually(
      async () => {
        const now = await Promise.all(reschedulers.map(runs));
        return now.every((n, i) => n >= after[i] + 3) ? true : undefined;
      },
      30_000,
      'three more runs of each rescheduler',
    );

    const messages = await drain(sqs, stack.queue.direct);
    const jobIds = messages.map((m) => JSON.parse(m.Body!).jobId as string);
    expect(jobIds.sort()).toEqual(jobs.map((j) => j.id).sort());
    const sent = await Promise.all(
      reschedulers.map((r) => metric(r.url, 'rescheduler_jobs_total', 'stage="sent"')),
    );
    expect(sent[0] + sent[1]).toBe(JOBS);

    // Handed back to the queue as they were, then a worker takes them.
    for (let i = 0; i < messages.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: stack.queue.direct,
          Entries: messages.slice(i, i + 10).map((m, n) => ({
            Id: String(n),
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
    const worker = await stack.startApp('scraper-worker');
    for (const job of jobs) await api.status(job.id, 'notified', 60_000);
    for (const job of jobs) {
      expect(await api.points(job.id)).toHaveLength(1);
      await eventually(
        async () => ((await api.alerts(job.id)).length === 1 ? true : undefined),
        10_000,
        `the alert of ${job.id}`,
      );
    }
    // Notified jobs leave the schedule: more runs enqueue nothing, and no message was dropped.
    const settled = await Promise.all(reschedulers.map(runs));
    await eventually(
      async () => {
        const now = await Promise.all(reschedulers.map(runs));
        return now.every((n, i) => n >= settled[i] + 2) ? true : undefined;
      },
      30_000,
      'two more runs of each rescheduler',
    );
    const sentAfter = await Promise.all(
      reschedulers.map((r) => metric(r.url, 'rescheduler_jobs_total', 'stage="sent"')),
    );
    expect(sentAfter[0] + sentAfter[1]).toBe(JOBS);
    // A second check message for a job would have been dropped for one of these reasons. (The
    // alert redrive's `deliver` messages may be dropped as nothing_to_deliver: not checks.)
    for (const reason of [
      'already_notified',
      'status_processing',
      'status_queued',
      'status_notified',
      'changed_during_check',
      'unknown_job',
    ])
      expect({
        reason,
        dropped: await metric(worker.url, 'worker_messages_dropped_total', `reason="${reason}"`),
      }).toEqual({ reason, dropped: 0 });
    for (const job of jobs) expect(await api.alerts(job.id)).toHaveLength(1);
  });
});
