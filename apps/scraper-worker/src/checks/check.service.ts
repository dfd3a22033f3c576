import type { Message } from '@aws-sdk/client-sqs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Counter, Histogram } from 'prom-client';
import {
  CLAIMABLE_STATUSES,
  Job,
  JOBS_CONFIG,
  JobsConfig,
  JobsRepository,
  MalformedCheckMessageError,
  parseQueueMessage,
  PriceHistoryRepository,
  StaleJobError,
} from '@app/jobs-domain';
import { extractContext, inSpan, metricsRegistry, SpanKind } from '@app/platform';
import { Notifier } from '../notifying/notifier';
import { WebhookTester } from '../notifying/webhook-tester';
import { WORKER_CONFIG, WorkerConfig } from '../worker.config';
import { decide, DecisionPolicy } from './check-decision';
import { DomainLimiter } from './domain-limiter';
import { PAGE_CHECKER } from './tokens';
import { PageChecker } from './page-checker';

export type CheckResult = 'checked' | 'dropped' | 'delivered' | 'webhook_tested';

/** The worker is shutting down and gave this check up before its commit point; nothing was recorded. */
export class CheckAbandonedError extends Error {
  override readonly name = 'CheckAbandonedError';
  constructor() {
    super('check abandoned on shutdown');
  }
}

const checksTotal = new Counter({
  name: 'worker_checks_total',
  help: 'Checks finished, by outcome and path (http or browser)',
  labelNames: ['outcome', 'path'] as const,
  registers: [metricsRegistry],
});
const messagesDropped = new Counter({
  name: 'worker_messages_dropped_total',
  help: 'Messages acknowledged without a check, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});
const checkDuration = new Histogram({
  name: 'worker_check_duration_seconds',
  help: 'Duration of one check, from claim to durable write',
  labelNames: ['path'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
  registers: [metricsRegistry],
});

/**
 * One message, one check: claim the job, read the page, write the outcome, then deliver the alert.
 * The outcome is not one transaction but idempotent steps in a crash-safe order (check record,
 * then the job, which is the commit point, then the outbox entry, rebuilt from the job if missing; see
 * PriceHistoryRepository.record). The message is acknowledged (the method returns) only once the new
 * state is durable; anything thrown leaves it to come back and resume.
 */
@Injectable()
export class CheckService {
  private readonly logger = new Logger(CheckService.name);
  private readonly domains: DomainLimiter;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly prices: PriceHistoryRepository,
    private readonly notifier: Notifier,
    private readonly webhookTests: WebhookTester,
    @Inject(PAGE_CHECKER) private readonly checker: PageChecker,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(JOBS_CONFIG) private readonly scheduling: JobsConfig,
  ) {
    this.domains = new DomainLimiter(config.PER_DOMAIN_CONCURRENCY);
  }

  private policy(): DecisionPolicy {
    return {
      maxConsecutiveFailures: this.config.MAX_CONSECUTIVE_FAILURES,
      jitterRatio: this.config.CHECK_JITTER_RATIO,
      random: Math.random,
    };
  }

  /** Handles one message inside a span that continues the trace the message carries. */
  async handle(message: Message, signal?: AbortSignal): Promise<CheckResult> {
    const carrier: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(message.MessageAttributes ?? {}))
      carrier[k] = v.StringValue;
    return inSpan(
      'check',
      SpanKind.CONSUMER,
      extractContext(carrier),
      { 'messaging.system': 'aws_sqs', 'messaging.message.id': message.MessageId ?? '' },
      () => this.process(message, signal),
    );
  }

  /** `signal` aborts on shutdown: a check not yet committed then releases its claim and throws. */
  private async process(message: Message, signal?: AbortSignal): Promise<CheckResult> {
    let parsed;
    try {
      parsed = parseQueueMessage(message.Body);
    } catch (err) {
      if (err instanceof MalformedCheckMessageError) {
        // Can never succeed: acknowledge it so it does not cycle through the DLQ path.
        this.logger.warn(
          { messageId: message.MessageId, reason: err.message },
          'malformed check message dropped',
        );
        messagesDropped.inc({ reason: 'malformed' });
        return 'dropped';
      }
      throw err;
    }
    if (parsed.kind === 'deliver') {
      // The redrive of an alert whose delivery failed: no check, only the stored alert.
      const sent = await this.notifier.redeliver(
        parsed.userId,
        parsed.createdAt,
        parsed.notificationId,
      );
      return sent
        ? 'delivered'
        : this.drop('nothing_to_deliver', undefined, { notificationId: parsed.notificationId });
    }
    if (parsed.kind === 'webhook_test') {
      const tested = await this.webhookTests.run(parsed);
      if (tested !== 'dropped') return 'webhook_tested';
      messagesDropped.inc({ reason: 'webhook_test_not_awaited' });
      return 'dropped';
    }
    const ids = parsed;
    const messageId = message.MessageId ?? 'unknown';
    let job = await this.jobs.get(ids.userId, ids.jobId, true);
    let claimed: Job | undefined;
    // A job is claimable while it is pending or queued: whoever wrote it meanwhile (the gateway
    // leasing a new job just after sending its message, the rescheduler re-leasing it) did not
    // take it, so a lost conditional write is re-read and retried rather than read as "claimed
    // elsewhere". Only a job another message holds (processing) or that left the schedule is dropped.
    for (let attempt = 0; !claimed; attempt++) {
      if (!job) return this.drop('unknown_job', ids.jobId);
      if (job.status === 'notified') {
        // A redelivery after the check committed: make sure its alert exists and went out, then stop.
        await this.notifier.deliver(job);
        return this.drop('already_notified', job.jobId);
      }
      // The same message again, after its worker died mid-check (or released it on shutdown): take
      // the claim over as it is, so the resumed check computes the same price point and alert ids.
      if (job.status === 'processing' && job.claimMessageId === messageId) {
        claimed = job;
        break;
      }
      if (!CLAIMABLE_STATUSES.includes(job.status)) {
        return this.drop(`status_${job.status}`, job.jobId);
      }
      if (signal?.aborted) throw new CheckAbandonedError();
      try {
        claimed = await this.jobs.transition(
          job,
          {
            set: {
              status: 'processing',
              claimMessageId: messageId,
              claimedAt: new Date().toISOString(),
              nextCheckAt: Date.now() + this.scheduling.CHECK_LEASE_SECONDS * 1000,
            },
          },
          [job.status],
        );
      } catch (err) {
        if (!(err instanceof StaleJobError) || attempt >= 4) throw err;
        job = await this.jobs.get(ids.userId, ids.jobId, true);
      }
    }

    const started = process.hrtime.bigint();
    const checkId = createHash('sha256')
      .update(`${claimed.jobId}|${messageId}|${claimed.version}`)
      .digest('hex')
      .slice(0, 32);
    const host = new URL(claimed.url).host;
    const deadline = AbortSignal.timeout(this.config.CHECK_TIMEOUT_MS);
    const page = await this.domains.run(host, () =>
      this.checker.check(claimed, signal ? AbortSignal.any([deadline, signal]) : deadline),
    );
    // Shutting down before the commit point: whatever the page gave (most likely an abort read as
    // a fetch error) is not this job's fault. Record nothing, hand the job back due now.
    if (signal?.aborted) {
      await this.release(claimed);
      throw new CheckAbandonedError();
    }

    let current = claimed;
    for (let attempt = 0; ; attempt++) {
      const decision = decide(current, page.observation, checkId, new Date(), this.policy());
      let committed: Job;
      try {
        // Idempotent steps in a crash-safe order; the job write is the commit point. Every check
        // is recorded, priced or not (the first write of a retried check stands).
        await this.prices.record(
          current.userId,
          {
            ...decision.record,
            durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
          },
          this.config.PRICE_HISTORY_TTL_DAYS * 86400,
        );
        committed = await this.jobs.transition(current, decision.change, ['processing']);
      } catch (err) {
        if (!(err instanceof StaleJobError) || attempt >= 3) throw err;
        // The user edited the job while we checked it: apply the result to the edited job, unless
        // it was paused, deleted or taken over meanwhile.
        const fresh = await this.jobs.get(current.userId, current.jobId, true);
        if (!fresh || fresh.status !== 'processing' || fresh.claimMessageId !== messageId) {
          return this.drop('changed_during_check', current.jobId);
        }
        current = fresh;
        continue;
      }
      checksTotal.inc({
        outcome: committed.lastOutcome ?? page.observation.outcome,
        path: page.path,
      });
      checkDuration.observe({ path: page.path }, Number(process.hrtime.bigint() - started) / 1e9);
      this.logger.log(
        {
          jobId: committed.jobId,
          outcome: committed.lastOutcome,
          path: page.path,
          status: committed.status,
        },
        'check recorded',
      );
      if (committed.status === 'notified') {
        await this.notifier.deliver(committed);
        return 'delivered';
      }
      return 'checked';
    }
  }

  /**
   * Hands a claimed job back: pending/queued again and due now, claim cleared, nothing recorded.
   * Conditional on the claim still being this one; a failure leaves the lease to run out.
   */
  private async release(claimed: Job): Promise<void> {
    try {
      await this.jobs.transition(
        claimed,
        {
          set: { status: 'queued', nextCheckAt: Date.now() },
          remove: ['claimMessageId', 'claimedAt'],
        },
        ['processing'],
      );
      messagesDropped.inc({ reason: 'released_on_shutdown' });
      this.logger.log({ jobId: claimed.jobId }, 'check abandoned on shutdown; job released');
    } catch (err) {
      this.logger.warn(
        { jobId: claimed.jobId, err: (err as Error)?.name },
        'could not release the job on shutdown; its lease will run out',
      );
    }
  }

  private drop(reason: string, jobId?: string, ids: Record<string, string> = {}): CheckResult {
    messagesDropped.inc({ reason });
    this.logger.log({ jobId, ...ids, reason }, 'check message acknowledged without a check');
    return 'dropped';
  }
}
