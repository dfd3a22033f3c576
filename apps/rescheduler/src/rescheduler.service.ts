import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  allDueShards,
  CheckQueue,
  CheckToSend,
  JOBS_CONFIG,
  JobsConfig,
  JobsRepository,
} from '@app/jobs-domain';
import { AWS_CONFIG, AwsConfig } from '@app/aws-clients';
import { Counter, Histogram } from 'prom-client';
import { currentTraceCarrier, inSpan, metricsRegistry, SpanKind } from '@app/platform';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { RESCHEDULER_CONFIG, ReschedulerConfig } from './rescheduler.config';

export interface RunReport {
  due: number;
  claimed: number;
  sent: number;
  failed: number;
  /** Claims undone because their message could not be sent: due again for the next run. */
  released: number;
  stoppedEarly: boolean;
  durationMs: number;
}

const jobsCounter = new Counter({
  name: 'rescheduler_jobs_total',
  help: 'Jobs seen by the rescheduler, by stage (due, claimed, sent, failed, released)',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});
const runDuration = new Histogram({
  name: 'rescheduler_run_duration_seconds',
  help: 'Duration of one rescheduler run',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

/**
 * One run: query the sparse due index shard by shard (in parallel, paginated; never a Scan), claim
 * each due job with a conditional write that sets its lease, and enqueue the claimed jobs with
 * SendMessageBatch. A job whose claim succeeded but whose message could not be sent has its claim
 * undone (due again, as before), so the next run retries it instead of waiting out the lease; only
 * when that release fails too does the job wait for its lease to expire.
 */
@Injectable()
export class ReschedulerService {
  private readonly logger = new Logger(ReschedulerService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly queue: CheckQueue,
    @Inject(RESCHEDULER_CONFIG) private readonly config: ReschedulerConfig,
    @Inject(AWS_CONFIG) private readonly aws: AwsConfig,
    @Inject(JOBS_CONFIG) private readonly scheduling: JobsConfig,
  ) {}

  /** `remainingMs` tells how long this run may take (the Lambda's remaining time); new work stops before it. */
  async runOnce(remainingMs: () => number = () => Number.POSITIVE_INFINITY): Promise<RunReport> {
    return inSpan('reschedule', SpanKind.INTERNAL, ROOT_CONTEXT, {}, () => this.run(remainingMs));
  }

  private async run(remainingMs: () => number): Promise<RunReport> {
    const started = Date.now();
    const now = started;
    const report: RunReport = {
      due: 0,
      claimed: 0,
      sent: 0,
      failed: 0,
      released: 0,
      stoppedEarly: false,
      durationMs: 0,
    };
    const outOfTime = () => remainingMs() <= this.config.RESCHEDULE_SAFETY_MARGIN_MS;
    const budget = { left: this.config.RESCHEDULE_MAX_JOBS_PER_RUN };

    await Promise.all(
      allDueShards(this.aws.DUE_SHARDS).map((shard) =>
        this.runShard(shard, now, report, outOfTime, budget),
      ),
    );

    report.durationMs = Date.now() - started;
    runDuration.observe(report.durationMs / 1000);
    jobsCounter.inc({ stage: 'due' }, report.due);
    jobsCounter.inc({ stage: 'claimed' }, report.claimed);
    jobsCounter.inc({ stage: 'sent' }, report.sent);
    jobsCounter.inc({ stage: 'failed' }, report.failed);
    jobsCounter.inc({ stage: 'released' }, report.released);
    if (report.due > 0 || report.failed > 0) this.logger.log({ ...report }, 'reschedule run');
    return report;
  }

  private async runShard(
    shard: string,
    now: number,
    report: RunReport,
    outOfTime: () => boolean,
    budget: { left: number },
  ): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (outOfTime() || budget.left <= 0) {
        report.stoppedEarly = true;
        return;
      }
      const page = await this.jobs.queryDue(
        shard,
        now,
        Math.min(this.config.RESCHEDULE_PAGE_SIZE, budget.left),
        startKey,
      );
      startKey = page.lastKey;
      report.due += page.keys.length;
      budget.left -= page.keys.length;
      const leaseMs = this.scheduling.CHECK_LEASE_SECONDS * 1000;
      const claimed: (CheckToSend & { leaseUntil: number; dueAt: number })[] = [];
      // Claims run a few at a time: enough to hide latency without a burst of writes on one shard.
      for (let i = 0; i < page.keys.length; i += 10) {
        const slice = page.keys.slice(i, i + 10);
        const claimedAt = Date.now();
        const results = await Promise.all(
          slice.map((k) =>
            this.jobs.claimDue(k.userId, k.jobId, claimedAt, leaseMs).catch(() => false),
          ),
        );
        const trace = currentTraceCarrier();
        slice.forEach(
          (k, n) =>
            results[n] &&
            claimed.push({
              userId: k.userId,
              jobId: k.jobId,
              trace,
              leaseUntil: claimedAt + leaseMs,
              dueAt: k.nextCheckAt,
            }),
        );
      }
      report.claimed += claimed.length;
      const failed = await this.queue.sendBatch(claimed);
      report.sent += claimed.length - failed.length;
      report.failed += failed.length;
      const unsent = new Set(failed.map((f) => f.jobId));
      const releases = await Promise.all(
        claimed
          .filter((c) => unsent.has(c.jobId))
          .map((c) =>
            this.jobs.releaseClaim(c.userId, c.jobId, c.leaseUntil, c.dueAt).catch(() => false),
          ),
      );
      report.released += releases.filter(Boolean).length;
    } while (startKey);
  }
}
