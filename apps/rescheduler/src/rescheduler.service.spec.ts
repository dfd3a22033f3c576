import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsConfig } from '@app/aws-clients';
import {
  CheckQueue,
  DueAlert,
  JobsConfig,
  JobsRepository,
  notificationSk,
  OutboxRepository,
} from '@app/jobs-domain';
import { metricsRegistry } from '@app/platform';
import { ReschedulerConfig } from './rescheduler.config';
import { ReschedulerService } from './rescheduler.service';

interface FakeJob {
  userId: string;
  jobId: string;
  shard: string;
  nextCheckAt: number;
  status: string;
}

/**
 * The three repository calls the rescheduler makes, over an in-memory due index. Pages follow
 * DynamoDB's contract: at most `limit` items and a LastEvaluatedKey whenever the page is full.
 * Any other repository method is absent, so an unexpected write fails the test.
 */
class FakeJobs {
  readonly jobs = new Map<string, FakeJob>();
  readonly queries: { shard: string; limit: number; startKey?: Record<string, unknown> }[] = [];
  readonly claims: string[] = [];

  add(job: FakeJob): void {
    this.jobs.set(job.jobId, job);
  }

  async queryDue(shard: string, nowMs: number, limit: number, startKey?: Record<string, unknown>) {
    this.queries.push({ shard, limit, startKey });
    const due = [...this.jobs.values()]
      .filter((j) => j.shard === shard && j.nextCheckAt <= nowMs)
      .sort((a, b) => a.nextCheckAt - b.nextCheckAt || a.jobId.localeCompare(b.jobId));
    // Like DynamoDB, continue after the start key's position in index order, whether or not that
    // item is still in the index (a claim moves it out).
    const after = (j: FakeJob) =>
      !startKey ||
      j.nextCheckAt > (startKey.nextCheckAt as number) ||
      (j.nextCheckAt === startKey.nextCheckAt && j.jobId > (startKey.jobId as string));
    const page = due.filter(after).slice(0, limit);
    return {
      keys: page.map(({ userId, jobId, nextCheckAt }) => ({ userId, jobId, nextCheckAt })),
      lastKey:
        page.length === limit
          ? { jobId: page[page.length - 1].jobId, nextCheckAt: page[page.length - 1].nextCheckAt }
          : undefined,
    };
  }

  async claimDue(_userId: string, jobId: string, nowMs: number, leaseMs: number) {
    this.claims.push(jobId);
    const job = this.jobs.get(jobId);
    if (!job || job.nextCheckAt > nowMs) return false;
    job.status = 'queued';
    job.nextCheckAt = nowMs + leaseMs;
    return true;
  }

  readonly releases: string[] = [];

  async releaseClaim(_userId: string, jobId: string, leaseUntil: number, dueAt: number) {
    this.releases.push(jobId);
    const job = this.jobs.get(jobId);
    if (!job || job.status !== 'queued' || job.nextCheckAt !== leaseUntil) return false;
    job.nextCheckAt = dueAt;
    return true;
  }
}

interface FakeAlert extends DueAlert {
  shard: string;
  attempts: number;
  gaveUp?: boolean;
}

/** The outbox's redrive calls over an in-memory index of undelivered alerts (one page per query). */
class FakeOutbox {
  readonly alerts = new Map<string, FakeAlert>();
  readonly releases: string[] = [];

  add(notificationId: string, shard: string, createdAtMs: number, nextAttemptAt: number): void {
    const sk = notificationSk(new Date(createdAtMs).toISOString(), notificationId);
    this.alerts.set(sk, { userId: 'u1', sk, createdAtMs, nextAttemptAt, shard, attempts: 1 });
  }
  byId(notificationId: string): FakeAlert {
    return [...this.alerts.values()].find((a) => a.sk.endsWith(`#${notificationId}`))!;
  }
  private indexed = () => [...this.alerts.values()].filter((a) => !a.gaveUp);

  async queryDueRedrives(shard: string, nowMs: number) {
    return {
      alerts: this.indexed().filter((a) => a.shard === shard && a.nextAttemptAt <= nowMs),
      lastKey: undefined,
    };
  }
  async claimRedrive(_u: string, sk: string, nowMs: number, lease: number) {
    const a = this.alerts.get(sk);
    if (!a || a.gaveUp || a.nextAttemptAt > nowMs) return false;
    a.nextAttemptAt = lease;
    a.attempts++;
    return true;
  }
  async releaseRedrive(_u: string, sk: string, lease: number, dueAt: number) {
    this.releases.push(sk);
    const a = this.alerts.get(sk);
    if (!a || a.nextAttemptAt !== lease) return false;
    a.nextAttemptAt = dueAt;
    return true;
  }
  async giveUp(_u: string, sk: string, nowMs: number) {
    const a = this.alerts.get(sk);
    if (!a || a.gaveUp || a.nextAttemptAt > nowMs) return false;
    a.gaveUp = true;
    return true;
  }
  async countUndelivered(shard: string) {
    return this.indexed().filter((a) => a.shard === shard).length;
  }
}

/** An SQS client whose SendMessageBatch reports the entries of `failJobs` as failed, every time. */
function fakeSqs(failJobs: Set<string> = new Set()) {
  const sent: string[] = [];
  const calls: number[] = [];
  const client = {
    send: jest.fn(async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('unexpected command');
      const entries = command.input.Entries ?? [];
      calls.push(entries.length);
      const Successful: { Id: string }[] = [];
      const Failed: { Id: string; Code: string; SenderFault: boolean }[] = [];
      for (const e of entries) {
        const body = JSON.parse(e.MessageBody!) as { jobId?: string; notificationId?: string };
        const id = body.jobId ?? `deliver:${body.notificationId}`;
        if (failJobs.has(id)) {
          Failed.push({ Id: e.Id!, Code: 'InternalError', SenderFault: false });
        } else {
          sent.push(id);
          Successful.push({ Id: e.Id! });
        }
      }
      return { Successful, Failed };
    }),
  };
  return { client: client as unknown as SQSClient, sent, calls };
}

function setup(opts: {
  shards?: number;
  pageSize?: number;
  maxJobs?: number;
  failJobs?: Set<string>;
}) {
  const aws = Object.assign(new AwsConfig(), {
    DUE_SHARDS: opts.shards ?? 2,
    CHECKS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/checks',
  });
  const config = Object.assign(new ReschedulerConfig(), {
    RESCHEDULE_PAGE_SIZE: opts.pageSize ?? 100,
    RESCHEDULE_MAX_JOBS_PER_RUN: opts.maxJobs ?? 50_000,
    RESCHEDULE_SAFETY_MARGIN_MS: 5000,
  });
  const jobs = new FakeJobs();
  const outbox = new FakeOutbox();
  const sqs = fakeSqs(opts.failJobs);
  // The real CheckQueue: its batching and retry of failed entries is part of what is tested.
  const queue = new CheckQueue(sqs.client, aws);
  const scheduling = Object.assign(new JobsConfig(), { CHECK_LEASE_SECONDS: 900 });
  const service = new ReschedulerService(
    jobs as unknown as JobsRepository,
    outbox as unknown as OutboxRepository,
    queue,
    config,
    aws,
    scheduling,
  );
  return { service, jobs, sqs, outbox };
}

function seed(jobs: FakeJobs, shard: string, count: number, prefix: string): void {
  // One clock reading for the whole seed: i ms older each, so the order (the last seeded is the
  // oldest) holds even when the clock ticks between two jobs (a busy machine once made a5 and a6
  // equal and reordered the pages this spec asserts).
  const base = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    jobs.add({
      userId: 'u1',
      jobId: `${prefix}${i}`,
      shard,
      nextCheckAt: base - i,
      status: 'active',
    });
  }
}

describe('ReschedulerService.runOnce', () => {
  it('follows LastEvaluatedKey across pages of every shard', async () => {
    const { service, jobs, sqs } = setup({ shards: 2, pageSize: 4 });
    seed(jobs, 'S0', 10, 'a');
    seed(jobs, 'S1', 3, 'b');
    jobs.add({
      userId: 'u1',
      jobId: 'later',
      shard: 'S0',
      nextCheckAt: Date.now() + 3_600_000,
      status: 'active',
    });

    const report = await service.runOnce();

    expect(report).toEqual(
      expect.objectContaining({ due: 13, claimed: 13, sent: 13, failed: 0, stoppedEarly: false }),
    );
    // S0, oldest first (a9 is the oldest): 4 + 4 + 2, the short page ends it; S1: 3.
    const s0 = jobs.queries.filter((q) => q.shard === 'S0');
    expect(s0.map((q) => q.startKey?.jobId)).toEqual([undefined, 'a6', 'a2']);
    expect(jobs.queries.filter((q) => q.shard === 'S1')).toHaveLength(1);
    expect(new Set(sqs.sent)).toEqual(new Set([...jobs.jobs.keys()].filter((k) => k !== 'later')));
    expect(sqs.sent).toHaveLength(13);
    expect(jobs.jobs.get('later')!.status).toBe('active');
    // One SendMessageBatch per page (pages are at most 4 here, under the batch limit of 10).
    expect(sqs.calls).toEqual(expect.arrayContaining([4, 4, 2, 3]));
  });

  it('splits a page into SendMessageBatch calls of at most 10', async () => {
    const { service, jobs, sqs } = setup({ shards: 1, pageSize: 25 });
    seed(jobs, 'S0', 25, 'j');

    const report = await service.runOnce();

    expect(report.sent).toBe(25);
    expect(sqs.calls).toEqual([10, 10, 5]);
  });

  it('releases the claims whose message SendMessageBatch keeps failing: due again at once', async () => {
    const failJobs = new Set(['j2', 'j7']);
    const { service, jobs, sqs } = setup({ shards: 1, pageSize: 10, failJobs });
    seed(jobs, 'S0', 10, 'j');
    const dueBefore = new Map([...failJobs].map((id) => [id, jobs.jobs.get(id)!.nextCheckAt]));
    const before = Date.now();

    const report = await service.runOnce();

    expect(report).toEqual(
      expect.objectContaining({ due: 10, claimed: 10, sent: 8, failed: 2, released: 2 }),
    );
    expect(sqs.sent.sort()).toEqual(['j0', 'j1', 'j3', 'j4', 'j5', 'j6', 'j8', 'j9']);
    // The failed entries were retried (3 attempts) and only they were re-sent.
    expect(sqs.calls).toEqual([10, 2, 2]);
    expect(jobs.releases.sort()).toEqual(['j2', 'j7']);
    for (const id of failJobs) {
      // Not left waiting out a 15-minute lease: due again when it was due before the claim.
      expect(jobs.jobs.get(id)!.nextCheckAt).toBe(dueBefore.get(id));
    }
    for (const id of ['j0', 'j9']) {
      expect(jobs.jobs.get(id)!.nextCheckAt).toBeGreaterThanOrEqual(before + 900_000);
    }

    // The next run retries exactly them once the queue answers again.
    failJobs.clear();
    const retry = await service.runOnce();
    expect(retry).toEqual(expect.objectContaining({ due: 2, claimed: 2, sent: 2, released: 0 }));
  });

  it('does not count a job whose conditional claim fails (another run got it)', async () => {
    const { service, jobs, sqs } = setup({ shards: 1 });
    seed(jobs, 'S0', 5, 'j');
    const claim = jobs.claimDue.bind(jobs);
    jobs.claimDue = async (u, id, now, lease) => (id === 'j1' ? false : claim(u, id, now, lease));

    const report = await service.runOnce();

    expect(report).toEqual(expect.objectContaining({ due: 5, claimed: 4, sent: 4, failed: 0 }));
    expect(sqs.sent).not.toContain('j1');
  });

  it('stops early, before the next page, once the remaining time reaches the safety margin', async () => {
    const { service, jobs, sqs } = setup({ shards: 1, pageSize: 5 });
    seed(jobs, 'S0', 20, 'j');
    // 6 s left for the first page, then below the 5 s margin.
    let remaining = 6000;
    const remainingMs = () => remaining;
    const query = jobs.queryDue.bind(jobs);
    jobs.queryDue = async (...args) => {
      const page = await query(...args);
      remaining = 4000;
      return page;
    };

    const report = await service.runOnce(remainingMs);

    expect(report).toEqual(
      expect.objectContaining({ due: 5, claimed: 5, sent: 5, failed: 0, stoppedEarly: true }),
    );
    expect(jobs.queries).toHaveLength(1);
    expect(sqs.sent).toHaveLength(5);
    // The rest are untouched and still due for the next run.
    expect([...jobs.jobs.values()].filter((j) => j.status === 'active')).toHaveLength(15);
  });

  it('takes no work at all when it starts inside the safety margin', async () => {
    const { service, jobs, sqs } = setup({ shards: 4 });
    seed(jobs, 'S0', 3, 'j');

    const report = await service.runOnce(() => 5000);

    expect(report).toEqual(expect.objectContaining({ due: 0, claimed: 0, stoppedEarly: true }));
    expect(jobs.queries).toHaveLength(0);
    expect(sqs.client.send).not.toHaveBeenCalled();
  });

  it('stops at RESCHEDULE_MAX_JOBS_PER_RUN across shards', async () => {
    const { service, jobs } = setup({ shards: 2, pageSize: 100, maxJobs: 6 });
    seed(jobs, 'S0', 10, 'a');
    seed(jobs, 'S1', 10, 'b');

    const report = await service.runOnce();

    expect(report.due).toBeLessThanOrEqual(12); // both shards may ask for the budget at once
    expect(report.due).toBeGreaterThanOrEqual(6);
    expect(report.stoppedEarly).toBe(true);
  });

  describe('alert redrive', () => {
    const HOUR = 3_600_000;
    const undelivered = async () =>
      (await metricsRegistry.getSingleMetric('rescheduler_alerts_undelivered')!.get()).values[0]
        .value;

    it('sends a deliver message for each due alert and moves its next attempt on by the backoff', async () => {
      const { service, outbox, sqs } = setup({ shards: 2 });
      const now = Date.now();
      outbox.add('n1', 'R0', now - 2 * HOUR, now - 1000);
      outbox.add('n2', 'R1', now - 10 * 60_000, now - 1000);
      outbox.add('n3', 'R1', now - 60_000, now + 60_000); // not due yet

      const report = await service.runOnce();

      expect(report.alerts).toEqual({ due: 2, resent: 2, givenUp: 0, failed: 0, undelivered: 3 });
      expect(sqs.sent.sort()).toEqual(['deliver:n1', 'deliver:n2']);
      // The wait is the alert's age, capped at an hour, with up to half of it dropped as jitter.
      const n1 = outbox.byId('n1').nextAttemptAt - now;
      expect(n1).toBeGreaterThanOrEqual(HOUR / 2);
      expect(n1).toBeLessThanOrEqual(HOUR + 1000);
      const n2 = outbox.byId('n2').nextAttemptAt - now;
      expect(n2).toBeGreaterThanOrEqual(5 * 60_000);
      expect(n2).toBeLessThanOrEqual(10 * 60_000 + 1000);
      expect(outbox.byId('n1').attempts).toBe(2);
      expect(await undelivered()).toBe(3);

      // Claimed: the next run finds nothing due and sends nothing.
      const again = await service.runOnce();
      expect(again.alerts).toMatchObject({ due: 0, resent: 0 });
      expect(sqs.sent).toHaveLength(2);
    });

    it('gives up an alert still undelivered a day after it was raised, and sends it no more', async () => {
      const { service, outbox, sqs } = setup({ shards: 1 });
      const now = Date.now();
      outbox.add('old', 'R0', now - 24 * HOUR - 1, now - 1);
      outbox.add('young', 'R0', now - 23 * HOUR, now - 1);

      const report = await service.runOnce();

      expect(report.alerts).toMatchObject({ due: 2, resent: 1, givenUp: 1, undelivered: 1 });
      expect(sqs.sent).toEqual(['deliver:young']);
      expect(outbox.byId('old').gaveUp).toBe(true);
      // The young one's last attempt is leased only up to its own deadline.
      expect(outbox.byId('young').nextAttemptAt).toBeLessThanOrEqual(now - 23 * HOUR + 24 * HOUR);
      expect(await undelivered()).toBe(1);
    });

    it('releases an alert whose deliver message could not be sent: due again at once', async () => {
      const { service, outbox } = setup({ shards: 1, failJobs: new Set(['deliver:n1']) });
      const now = Date.now();
      outbox.add('n1', 'R0', now - HOUR, now - 5000);

      const report = await service.runOnce();

      expect(report.alerts).toMatchObject({ due: 1, resent: 0, failed: 1 });
      expect(outbox.byId('n1').nextAttemptAt).toBe(now - 5000);
    });
  });
});
