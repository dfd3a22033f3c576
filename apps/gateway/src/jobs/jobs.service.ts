import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CheckRecord,
  checkTrackableUrl,
  CheckQueue,
  EGRESS_CONFIG,
  EgressAllowList,
  EgressConfig,
  InvalidJobInputError,
  isIsoCurrency,
  isPositiveDecimal,
  Job,
  JobConflictError,
  JobNotFoundError,
  JobPatch,
  JOBS_CONFIG,
  JobsConfig,
  JobsRepository,
  JobStatus,
  JobView,
  normalizeDecimal,
  Page,
  planPatch,
  PriceHistoryRepository,
  PricePoint,
  StaleJobError,
} from '@app/jobs-domain';
import { currentTraceCarrier } from '@app/platform';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

export interface NewJob {
  url: string;
  targetPrice: string;
  currency?: string;
  selector?: string;
  checkIntervalMinutes?: number;
}

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  private readonly allow: EgressAllowList;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly prices: PriceHistoryRepository,
    private readonly queue: CheckQueue,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(JOBS_CONFIG) private readonly scheduling: JobsConfig,
    @Inject(EGRESS_CONFIG) egress: EgressConfig,
  ) {
    this.allow = egress.allowList;
  }

  private validateInterval(minutes: number | undefined): void {
    if (minutes !== undefined && minutes < this.config.MIN_CHECK_INTERVAL_MINUTES) {
      throw new InvalidJobInputError(
        `checkIntervalMinutes must be at least ${this.config.MIN_CHECK_INTERVAL_MINUTES}`,
        'checkIntervalMinutes',
      );
    }
  }

  private validateTarget(price: string | undefined): void {
    if (price !== undefined && !isPositiveDecimal(price)) {
      throw new InvalidJobInputError('targetPrice must be greater than 0', 'targetPrice');
    }
  }

  /**
   * Stores the job first (pending, due now), then sends its first check. If the send fails the job
   * is still due and the rescheduler enqueues it: the caller's job is never lost.
   */
  async create(userId: string, input: NewJob): Promise<Job> {
    const verdict = checkTrackableUrl(input.url, this.allow);
    if (!verdict.ok) throw new InvalidJobInputError(verdict.reason, 'url');
    this.validateTarget(input.targetPrice);
    this.validateInterval(input.checkIntervalMinutes);
    const currency = input.currency ?? this.config.DEFAULT_CURRENCY;
    if (!isIsoCurrency(currency))
      throw new InvalidJobInputError('currency must be an ISO 4217 code', 'currency');

    const now = new Date();
    const job: Job = {
      jobId: randomUUID(),
      userId,
      url: verdict.url.href,
      targetPrice: normalizeDecimal(input.targetPrice),
      currency,
      selector: input.selector,
      checkIntervalMinutes:
        input.checkIntervalMinutes ?? this.config.DEFAULT_CHECK_INTERVAL_MINUTES,
      status: 'pending',
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      nextCheckAt: now.getTime(),
      consecutiveFailures: 0,
    };
    await this.jobs.create(job);

    try {
      await this.queue.send({ userId, jobId: job.jobId, trace: currentTraceCarrier() });
    } catch (err) {
      this.logger.warn(
        { jobId: job.jobId, err: (err as Error)?.name },
        'first check not enqueued; the rescheduler will pick the job up',
      );
      return job;
    }
    // Enqueued: lease the job so the rescheduler does not enqueue it a second time meanwhile.
    try {
      return await this.jobs.transition(
        job,
        {
          set: {
            status: 'queued',
            nextCheckAt: Date.now() + this.scheduling.CHECK_LEASE_SECONDS * 1000,
          },
        },
        ['pending'],
      );
    } catch (err) {
      if (err instanceof StaleJobError) return (await this.jobs.get(userId, job.jobId)) ?? job;
      this.logger.warn(
        { jobId: job.jobId, err: (err as Error)?.name },
        'could not lease the new job',
      );
      return job;
    }
  }

  async get(userId: string, jobId: string): Promise<Job> {
    const job = await this.jobs.get(userId, jobId);
    if (!job) throw new JobNotFoundError();
    return job;
  }

  list(userId: string, limit: number, cursor?: string, status?: JobStatus): Promise<Page<JobView>> {
    return this.jobs.list(userId, { limit, cursor, status });
  }

  /** Applies the patch on the latest version; retries when a worker wrote the job meanwhile. */
  async update(userId: string, jobId: string, patch: JobPatch): Promise<Job> {
    this.validateTarget(patch.targetPrice);
    this.validateInterval(patch.checkIntervalMinutes);
    const normalized: JobPatch = {
      ...patch,
      targetPrice:
        patch.targetPrice !== undefined ? normalizeDecimal(patch.targetPrice) : undefined,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.get(userId, jobId);
      const change = planPatch(job, normalized, new Date());
      if (!change) return job;
      try {
        return await this.jobs.transition(job, change);
      } catch (err) {
        if (!(err instanceof StaleJobError)) throw err;
      }
    }
    throw new JobConflictError();
  }

  /** Deletes the job, then its price history (a retry after a failure in between finds no job). */
  async delete(userId: string, jobId: string): Promise<void> {
    if (!(await this.jobs.delete(userId, jobId))) throw new JobNotFoundError();
    await this.prices.deleteForJob(userId, jobId);
  }

  /** Deletes every job of the user and their price histories; returns the number of jobs deleted. */
  async deleteAll(userId: string): Promise<number> {
    const deleted = await this.jobs.deleteAll(userId);
    await this.prices.deleteAll(userId);
    return deleted;
  }

  async history(
    userId: string,
    jobId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<PricePoint>> {
    await this.get(userId, jobId);
    return this.prices.list(userId, jobId, { limit, cursor });
  }

  /** Every check of the job, priced or not, newest first. */
  async checks(
    userId: string,
    jobId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<CheckRecord>> {
    await this.get(userId, jobId);
    return this.prices.listChecks(userId, jobId, { limit, cursor });
  }
}
