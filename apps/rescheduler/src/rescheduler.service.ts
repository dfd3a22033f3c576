import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  alertGiveUpAt,
  allDueShards,
  allRedriveShards,
  buildDeliverMessage,
  CheckQueue,
  CheckToSend,
  DueAlert,
  JOBS_CONFIG,
  JobsConfig,
  JobsRepository,
  MessageToSend,
  nextAlertAttemptAt,
  notificationKeyParts,
  OutboxRepository,
} from '@app/jobs-domain';
import { AWS_CONFIG, AwsConfig } from '@app/aws-clients';
import { Counter, Gauge, Histogram } from 'prom-client';
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
  /** The alert redrive: undelivered alerts found due, sent to the worker again, given up. */
  alerts: { due: number; resent: number; givenUp: number; failed: number; undelivered: number };
}

const jobsCounter = new Counter({
  name: 'rescheduler_jobs_total',
  help: 'Jobs seen by the rescheduler, by stage (due, claimed, sent, failed, released)',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});
const alertsCounter = new Counter({
  name: 'rescheduler_alerts_total',
  help: 'Undelivered alerts seen by the redrive, by stage (due, resent, failed, given_up)',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});
const alertsUndelivered = new Gauge({
  name: 'rescheduler_alerts_undelivered',
  help: 'Alerts not delivered yet and not given up, as counted by the last run',
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
    private readonly outbox: OutboxRepository,
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
      alerts: { due: 0, resent: 0, givenUp: 0, failed: 0, undelivered: 0 },
    };
    const outOfTime = () => remainingMs() <= this.config.RESCHEDULE_SAFETY_MARGIN_MS;
    const budget = { left: this.config.RESCHEDULE_MAX_JOBS_PER_RUN };

    await Promise.all(
      allDueShards(this.aws.DUE_SHARDS).map((shard) =>
        this.runShard(shard, now, report, outOfTime, budget),
      ),
    );

    await Promise.all(
      allRedriveShards(this.aws.DUE_SHARDS).map((shard) =>
        this.redriveShard(shard, report, outOfTime),
      ),
    );

    report.durationMs = Date.now() - started;
    runDuration.observe(report.durationMs / 1000);
    jobsCounter.inc({ stage: 'due' }, report.due);
    jobsCounter.inc({ stage: 'claimed' }, report.claimed);
    jobsCounter.inc({ stage: 'sent' }, report.sent);
    jobsCounter.inc({ stage: 'failed' }, report.failed);
    jobsCounter.inc({ stage: 'released' }, report.released);
    alertsCounter.inc({ stage: 'due' }, report.alerts.due);
    alertsCounter.inc({ stage: 'resent' }, report.alerts.resent);
    alertsCounter.inc({ stage: 'failed' }, report.alerts.failed);
    alertsCounter.inc({ stage: 'given_up' }, report.alerts.givenUp);
    if (Number.isFinite(report.alerts.undelivered))
      alertsUndelivered.set(report.alerts.undelivered);
    if (report.due > 0 || report.failed > 0 || report.alerts.due > 0)
      this.logger.log({ ...report }, 'reschedule run');
    return report;
  }

  /**
   * The alert redrive of one shard: each undelivered alert whose next attempt is due is claimed
   * (its next attempt moved on by the backoff, alert-redrive.ts) and sent to the worker as a
   * `deliver` message (the worker owns egress and the webhook sender), or given up once it is
   * ALERT_GIVE_UP_AFTER_SECONDS old. Then counts what is still undelivered, for the gauge.
   */
  private async redriveShard(
    shard: string,
    report: RunReport,
    outOfTime: () => boolean,
  ): Promise<void> {
    const policy = this.scheduling.alertRedrive;
    let startKey: Record<string, unknown> | undefined;
    do {
      if (outOfTime()) {
        report.stoppedEarly = true;
        break;
      }
      const now = Date.now();
      const page = await this.outbox.queryDueRedrives(
        shard,
        now,
        this.config.RESCHEDULE_PAGE_SIZE,
        startKey,
      );
      startKey = page.lastKey;
      report.alerts.due += page.alerts.length;
      const claimed: (MessageToSend & { alert: DueAlert; lease: number; dueAt: number })[] = [];
      for (let i = 0; i < page.alerts.length; i += 10) {
        await Promise.all(
          page.alerts.slice(i, i + 10).map(async (alert) => {
            if (now >= alertGiveUpAt(alert.createdAtMs, policy)) {
              if (await this.outbox.giveUp(alert.userId, alert.sk, now).catch(() => false)) {
                report.alerts.givenUp++;
                this.logger.warn(
                  { userId: alert.userId, alert: alert.sk, raisedAt: alert.createdAtMs },
                  'price alert given up: still undelivered at the end of its retry period',
                );
              }
              return;
            }
            const dueAt = alert.nextAttemptAt;
            const lease = nextAlertAttemptAt(alert.createdAtMs, now, policy);
            const ok = await this.outbox
              .claimRedrive(alert.userId, alert.sk, now, lease)
              .catch(() => false);
            const parts = notificationKeyParts(alert.sk);
            if (!ok || !parts) return;
            claimed.push({
              alert,
              lease,
              dueAt,
              message: buildDeliverMessage(alert.userId, parts.createdAt, parts.notificationId),
              trace: currentTraceCarrier(),
            });
          }),
        );
      }
      const unsent = await this.queue.sendMessages(claimed);
      report.alerts.resent += claimed.length - unsent.length;
      report.alerts.failed += unsent.length;
      // Due again as before, so the next run retries instead of waiting out the backoff.
      await Promise.all(
        unsent.map((c) =>
          this.outbox
            .releaseRedrive(c.alert.userId, c.alert.sk, c.lease, c.dueAt)
            .catch(() => false),
        ),
      );
    } while (startKey);
    if (outOfTime()) {
      report.alerts.undelivered = Number.NaN; // not counted this run: the gauge keeps its value
      return;
    }
    // Read first: `x += await y` would add to the value x had before the await (shards run at once).
    const undelivered = await this.outbox.countUndelivered(shard).catch((err: unknown) => {
      this.logger.warn({ shard, err: (err as Error)?.name }, 'could not count undelivered alerts');
      return Number.NaN; // the gauge keeps its last value rather than show a false one
    });
    report.alerts.undelivered += undelivered;
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
