import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_CONFIG, AwsConfig, DYNAMODB } from '@app/aws-clients';
import { decodeCursor, encodeCursor } from './cursor';
import { Job, JobStatus, Notification, Page, PricePoint, SCHEDULABLE_STATUSES } from './job';
import {
  dueShardOf,
  historySk,
  historySkPrefix,
  JOB_SK_PREFIX,
  jobSk,
  NOTIFICATION_SK_PREFIX,
  PROFILE_SK,
  userPk,
} from './keys';
import { DUE_INDEX } from './table-schema';

/** Thrown when a conditional write finds another version or status than expected. */
export class StaleJobError extends Error {
  override readonly name = 'StaleJobError';
}

export interface JobChange {
  /** Attributes to set (undefined values are ignored). */
  set?: Partial<Omit<Job, 'jobId' | 'userId' | 'version'>>;
  /** Attributes to remove. */
  remove?: (keyof Job)[];
}

export interface UserProfile {
  userId: string;
  webhookUrl?: string;
}

const KEY_FIELDS = ['pk', 'sk', 'entity', 'dueShard', 'expiresAt'] as const;

/** An item without its table bookkeeping (keys, index attribute, TTL, owner). */
function withoutKeys(item: Record<string, unknown>, extra: string[] = []): Record<string, unknown> {
  const copy = { ...item };
  for (const k of [...KEY_FIELDS, ...extra]) delete copy[k];
  return copy;
}

function toJob(item: Record<string, unknown>): Job {
  return withoutKeys(item) as unknown as Job;
}

function toNotification(item: Record<string, unknown>): Notification {
  return withoutKeys(item, ['userId']) as unknown as Notification;
}

/**
 * Every DynamoDB access to jobs, history and the outbox. Each state change is a conditional write
 * on the item's version (and, where it matters, its status), so concurrent writers (gateway,
 * worker, rescheduler) never overwrite each other's transitions.
 */
@Injectable()
export class JobsRepository {
  private readonly table: string;
  private readonly shards: number;

  constructor(
    @Inject(DYNAMODB) private readonly dynamo: DynamoDBDocumentClient,
    @Inject(AWS_CONFIG) config: AwsConfig,
  ) {
    this.table = config.JOBS_TABLE_NAME;
    this.shards = config.DUE_SHARDS;
  }

  /** The index attributes an item must carry for its status: only schedulable jobs are in the due index. */
  private scheduling(job: Pick<Job, 'jobId' | 'status'>): { dueShard?: string } {
    return SCHEDULABLE_STATUSES.includes(job.status)
      ? { dueShard: dueShardOf(job.jobId, this.shards) }
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

  async list(
    userId: string,
    opts: { limit: number; cursor?: string; status?: JobStatus },
  ): Promise<Page<Job>> {
    const pk = userPk(userId);
    const input: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': JOB_SK_PREFIX },
      ScanIndexForward: false,
    };
    if (opts.status) {
      input.FilterExpression = '#status = :status';
      input.ExpressionAttributeNames = { '#status': 'status' };
      input.ExpressionAttributeValues![':status'] = opts.status;
    }
    return this.queryPage(input, opts.limit, decodeCursor(opts.cursor, pk, JOB_SK_PREFIX), toJob);
  }

  /**
   * Fills a page of up to `limit` items. With a filter DynamoDB may return short pages, so this
   * keeps reading until the page is full or the collection ends; the cursor is the last key read.
   */
  private async queryPage<T>(
    input: QueryCommandInput,
    limit: number,
    start: Record<string, unknown> | undefined,
    map: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const items: T[] = [];
    let startKey = start;
    for (;;) {
      const out = await this.dynamo.send(
        new QueryCommand({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey }),
      );
      for (const item of out.Items ?? []) items.push(map(item));
      startKey = out.LastEvaluatedKey;
      if (!startKey || items.length >= limit) break;
    }
    return { items, nextCursor: encodeCursor(startKey) };
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
    try {
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
      return toJob(out.Attributes ?? {});
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new StaleJobError('job changed concurrently');
      throw err;
    }
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
   * Writes a price point; idempotent (the id is derived from the check, so a retry finds it there).
   * dynalite has no TransactWriteItems, so a check's outcome is written as idempotent steps in a
   * crash-safe order instead of one transaction: price point, then the job (the commit point,
   * conditional on the claimed version), then the outbox entry, which can always be rebuilt from
   * the committed job. See docs/DECISIONS.md.
   */
  async putPricePoint(
    userId: string,
    point: PricePoint,
    ttlSeconds: number,
    now: Date = new Date(),
  ): Promise<void> {
    await this.putIfAbsent({
      pk: userPk(userId),
      sk: historySk(point.jobId, point.checkedAt, point.pointId),
      entity: 'PRICE',
      ...point,
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    });
  }

  /** Stores an alert in the outbox under `sk`; idempotent. */
  async putNotification(userId: string, sk: string, notification: Notification): Promise<void> {
    await this.putIfAbsent({
      pk: userPk(userId),
      sk,
      entity: 'NOTIFICATION',
      userId,
      ...stripUndefined({ ...notification }),
    });
  }

  private async putIfAbsent(item: Record<string, unknown>): Promise<void> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async getNotification(userId: string, sk: string): Promise<Notification | null> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: userPk(userId), sk },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toNotification(out.Item) : null;
  }

  async markDelivered(
    userId: string,
    sk: string,
    channels: string[],
    at: Date = new Date(),
  ): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: userPk(userId), sk },
        UpdateExpression: 'SET deliveredAt = :at, channels = :channels',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':channels': channels },
      }),
    );
  }

  /** Deletes one job and its price history. False when the job did not exist. */
  async delete(userId: string, jobId: string): Promise<boolean> {
    try {
      await this.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk: jobSk(jobId) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
    await this.deleteByPrefix(userId, historySkPrefix(jobId));
    return true;
  }

  /** Deletes every job of the user and their price histories; returns the number of jobs deleted. */
  async deleteAll(userId: string): Promise<number> {
    const jobs = await this.deleteByPrefix(userId, JOB_SK_PREFIX);
    await this.deleteByPrefix(userId, 'HIST#');
    return jobs;
  }

  private async deleteByPrefix(userId: string, prefix: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': prefix },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (out.Items ?? []).map((i) => ({ pk: i.pk as string, sk: i.sk as string }));
      for (let i = 0; i < keys.length; i += 25) {
        await this.batchDelete(keys.slice(i, i + 25));
      }
      deleted += keys.length;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  /** BatchWriteItem may leave items unprocessed under throttling: retry them with backoff. */
  private async batchDelete(keys: { pk: string; sk: string }[]): Promise<void> {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('BatchWriteItem kept returning unprocessed items');
      if (attempt > 0) await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
      const out = await this.dynamo.send(
        new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
      );
      requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
    }
  }

  async history(
    userId: string,
    jobId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<PricePoint>> {
    const pk = userPk(userId);
    const prefix = historySkPrefix(jobId);
    return this.queryPage(
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: false,
      },
      opts.limit,
      decodeCursor(opts.cursor, pk, prefix),
      (item) => ({
        pointId: item.pointId as string,
        jobId: item.jobId as string,
        price: item.price as string,
        currency: item.currency as string,
        checkedAt: item.checkedAt as string,
        source: item.source as string,
      }),
    );
  }

  async notifications(
    userId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<Notification>> {
    const pk = userPk(userId);
    return this.queryPage(
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': NOTIFICATION_SK_PREFIX },
        ScanIndexForward: false,
      },
      opts.limit,
      decodeCursor(opts.cursor, pk, NOTIFICATION_SK_PREFIX),
      toNotification,
    );
  }

  async getProfile(userId: string): Promise<UserProfile> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { pk: userPk(userId), sk: PROFILE_SK } }),
    );
    return { userId, webhookUrl: (out.Item?.webhookUrl as string | undefined) ?? undefined };
  }

  async putProfile(profile: UserProfile): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: userPk(profile.userId),
          sk: PROFILE_SK,
          entity: 'PROFILE',
          ...stripUndefined({ ...profile }),
        },
      }),
    );
  }

  /**
   * The rescheduler's claim: a due job (in the index, nextCheckAt <= now) becomes queued with a
   * lease. The condition on nextCheckAt makes overlapping runs enqueue a job once: the first claim
   * moves nextCheckAt into the future and every other claim of that job fails. The version is
   * bumped so that writers holding the older version (a worker that lost its lease) fail too.
   * Returns false when the job is gone, no longer due, or not schedulable.
   */
  async claimDue(userId: string, jobId: string, nowMs: number, leaseMs: number): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk: jobSk(jobId) },
          UpdateExpression:
            'SET #status = :queued, #next = :lease, #updatedAt = :nowIso ADD #version :one',
          ConditionExpression: `attribute_exists(#shard) AND #next <= :now AND #status IN (${SCHEDULABLE_STATUSES.map((_, i) => `:st${i}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#next': 'nextCheckAt',
            '#shard': 'dueShard',
            '#version': 'version',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':lease': nowMs + leaseMs,
            ':now': nowMs,
            ':nowIso': new Date(nowMs).toISOString(),
            ':one': 1,
            ...Object.fromEntries(SCHEDULABLE_STATUSES.map((st, i) => [`:st${i}`, st])),
          },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
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
    const out = await this.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: '#shard = :shard AND #next <= :now',
        ExpressionAttributeNames: { '#shard': DUE_INDEX.partition, '#next': DUE_INDEX.sort },
        ExpressionAttributeValues: { ':shard': shard, ':now': nowMs },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      keys: (out.Items ?? []).map((i) => ({
        userId: (i.pk as string).slice('USER#'.length),
        jobId: (i.sk as string).slice(JOB_SK_PREFIX.length),
        nextCheckAt: i.nextCheckAt as number,
      })),
      lastKey: out.LastEvaluatedKey,
    };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
