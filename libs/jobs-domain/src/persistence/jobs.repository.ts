import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import {
  Job,
  JOB_VIEW_ATTRIBUTES,
  JobStatus,
  JobView,
  Page,
  SCHEDULABLE_STATUSES,
} from '../domain/job';
import { JobChange } from '../domain/transitions';
import { DUE_INDEX_NAMES, JobsTable, stripUndefined, withoutKeys } from './jobs-table';
import { dueShardOf, JOB_SK_PREFIX, jobIdFromSk, jobSk, userIdFromPk, userPk } from './keys';

/** Thrown when a conditional write finds another version or status than expected. */
export class StaleJobError extends Error {
  override readonly name = 'StaleJobError';
}

function toJob(item: Record<string, unknown>): Job {
  return withoutKeys(item) as unknown as Job;
}

/**
 * The list reads only what a JobView shows (a ProjectionExpression), so DynamoDB sends, and the
 * SDK parses, no keys, owner, index or claim attributes. Every name goes through a placeholder:
 * several (url, status) are DynamoDB reserved words.
 */
const VIEW_PROJECTION = {
  ProjectionExpression: JOB_VIEW_ATTRIBUTES.map((_, i) => `#v${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(JOB_VIEW_ATTRIBUTES.map((a, i) => [`#v${i}`, a])),
};

/** The placeholders of a claim and of its release: both move the lease and bump the version. */
const CLAIM_NAMES = {
  ...DUE_INDEX_NAMES,
  '#status': 'status',
  '#version': 'version',
  '#updatedAt': 'updatedAt',
};

/**
 * The jobs and the sparse due index over them. Each state change is a conditional write on the
 * job's version (and, where it matters, its status), so concurrent writers (gateway, worker,
 * rescheduler) never overwrite each other's transitions; the write keeps the job's due-index
 * attribute in step with its status.
 */
@Injectable()
export class JobsRepository extends JobsTable {
  /** The index attributes an item must carry for its status: only schedulable jobs are in the due index. */
  private scheduling(job: Pick<Job, 'jobId' | 'status'>): { dueShard?: string } {
    return SCHEDULABLE_STATUSES.includes(job.status)
      ? { dueShard: dueShardOf(job.jobId, this.aws.DUE_SHARDS) }
      : {};
  }

  async create(job: Job): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: userPk(job.userId),
          sk: jobSk(job.jobId),
          entity: 'JOB',
          ...job,
          ...this.scheduling(job),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(userId: string, jobId: string, consistent = false): Promise<Job | null> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: userPk(userId), sk: jobSk(jobId) },
        ConsistentRead: consistent,
      }),
    );
    return out.Item ? toJob(out.Item) : null;
  }

  /** A page of the user's jobs, newest first, as their owner sees them. */
  list(
    userId: string,
    opts: { limit: number; cursor?: string; status?: JobStatus },
  ): Promise<Page<JobView>> {
    return this.collectionPage(
      userId,
      JOB_SK_PREFIX,
      opts,
      (item) => item as unknown as JobView,
      opts.status
        ? {
            ...VIEW_PROJECTION,
            FilterExpression: '#status = :status',
            ExpressionAttributeNames: {
              ...VIEW_PROJECTION.ExpressionAttributeNames,
              '#status': 'status',
            },
            ExpressionAttributeValues: { ':status': opts.status },
          }
        : VIEW_PROJECTION,
    );
  }

  /**
   * Applies `change` if the job still has `expectedVersion` (and one of `allowedStatuses`, when
   * given). Keeps the due-index attribute in step with the resulting status. Returns the new job.
   */
  async transition(
    current: Job,
    change: JobChange,
    allowedStatuses?: readonly JobStatus[],
    now: Date = new Date(),
  ): Promise<Job> {
    const update = this.buildUpdate(current, change, allowedStatuses, now);
    let written: Record<string, unknown> | undefined;
    const applied = await this.conditionalWrite(async () => {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: update.key,
          UpdateExpression: update.expression,
          ConditionExpression: update.condition,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      written = out.Attributes;
    });
    if (!applied) throw new StaleJobError('job changed concurrently');
    return toJob(written ?? {});
  }

  /** The conditional update for a transition, and the job as it will be once written. */
  private buildUpdate(
    current: Job,
    change: JobChange,
    allowedStatuses: readonly JobStatus[] | undefined,
    now: Date,
  ) {
    const set = stripUndefined(change.set ?? {});
    const removes = new Set<string>(change.remove ?? []);
    const sets: Record<string, unknown> = {
      ...set,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    const next = { ...current, ...sets } as Job & Record<string, unknown>;
    const shard = this.scheduling(next).dueShard;
    if (shard) sets.dueShard = shard;
    else removes.add('dueShard');
    for (const k of removes) {
      delete sets[k];
      delete next[k];
    }

    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expected': current.version };
    const setParts = Object.entries(sets).map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
    const removeParts = [...removes].map((k, j) => {
      names[`#r${j}`] = k;
      return `#r${j}`;
    });
    let condition = 'attribute_exists(pk) AND #version = :expected';
    if (allowedStatuses) {
      names['#status'] = 'status';
      const placeholders = allowedStatuses.map((s, j) => {
        values[`:st${j}`] = s;
        return `:st${j}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    return {
      key: { pk: userPk(current.userId), sk: jobSk(current.jobId) },
      expression: `SET ${setParts.join(', ')}${removeParts.length ? ` REMOVE ${removeParts.join(', ')}` : ''}`,
      condition,
      names,
      values,
      next: next as Job,
    };
  }

  /**
   * Deletes one job (not its price history: see PriceHistoryRepository.deleteForJob). False when
   * the job did not exist.
   */
  async delete(userId: string, jobId: string): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk: jobSk(jobId) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  /** Deletes every job of the user; returns how many there were. */
  deleteAll(userId: string): Promise<number> {
    return this.deleteCollection(userId, JOB_SK_PREFIX);
  }

  /**
   * The rescheduler's claim: a due job (in the index, nextCheckAt <= now) becomes queued with a
   * lease. The condition on nextCheckAt makes overlapping runs enqueue a job once: the first claim
   * moves nextCheckAt into the future and every other claim of that job fails. The version is
   * bumped so that writers holding the older version (a worker that lost its lease) fail too.
   * Returns false when the job is gone, no longer due, or not schedulable.
   */
  async claimDue(userId: string, jobId: string, nowMs: number, leaseMs: number): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk: jobSk(jobId) },
          UpdateExpression:
            'SET #status = :queued, #next = :lease, #updatedAt = :nowIso ADD #version :one',
          ConditionExpression: `attribute_exists(#shard) AND #next <= :now AND #status IN (${SCHEDULABLE_STATUSES.map((_, i) => `:st${i}`).join(', ')})`,
          ExpressionAttributeNames: CLAIM_NAMES,
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':lease': nowMs + leaseMs,
            ':now': nowMs,
            ':nowIso': new Date(nowMs).toISOString(),
            ':one': 1,
            ...Object.fromEntries(SCHEDULABLE_STATUSES.map((st, i) => [`:st${i}`, st])),
          },
        }),
      ),
    );
  }

  /**
   * Undoes a claim whose message could not be sent: the job is due again at `dueAt` (when it was
   * due before the claim), so the next run retries it instead of waiting out the lease. Conditional
   * on the lease being exactly the one `claimDue` wrote and the job still queued, so a worker that
   * got the message after all (a send reported failed that went through) is never disturbed.
   * Returns false when the claim was no longer ours to release.
   */
  async releaseClaim(
    userId: string,
    jobId: string,
    leaseUntil: number,
    dueAt: number,
  ): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk: jobSk(jobId) },
          UpdateExpression: 'SET #next = :due, #updatedAt = :nowIso ADD #version :one',
          ConditionExpression: 'attribute_exists(#shard) AND #status = :queued AND #next = :lease',
          ExpressionAttributeNames: CLAIM_NAMES,
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':lease': leaseUntil,
            ':due': dueAt,
            ':nowIso': new Date().toISOString(),
            ':one': 1,
          },
        }),
      ),
    );
  }

  /** One page of due jobs of a shard, oldest due first (the sparse index holds only schedulable jobs). */
  async queryDue(
    shard: string,
    nowMs: number,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{
    keys: { userId: string; jobId: string; nextCheckAt: number }[];
    lastKey?: Record<string, unknown>;
  }> {
    const page = await this.queryDueIndex(shard, nowMs, limit, startKey);
    return {
      keys: page.items.map((i) => ({
        userId: userIdFromPk(i.pk as string),
        jobId: jobIdFromSk(i.sk as string),
        nextCheckAt: i.nextCheckAt as number,
      })),
      lastKey: page.lastKey,
    };
  }
}
