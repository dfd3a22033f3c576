import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { Notification, Page } from '../domain/job';
import { DUE_INDEX_NAMES, JobsTable, stripUndefined, withoutKeys } from './jobs-table';
import {
  NOTIFICATION_SK_PREFIX,
  notificationKeyParts,
  redriveShardOf,
  userIdFromPk,
  userPk,
} from './keys';
import { DUE_INDEX } from './table-schema';

function toNotification(item: Record<string, unknown>): Notification {
  const n = withoutKeys(item, ['userId', DUE_INDEX.sort]) as unknown as Notification;
  const next = item[DUE_INDEX.sort];
  return typeof next === 'number' ? { ...n, nextAttemptAt: new Date(next).toISOString() } : n;
}

/** An undelivered alert found due in the index: its key and when it was raised. */
export interface DueAlert {
  userId: string;
  sk: string;
  createdAtMs: number;
  nextAttemptAt: number;
}

/**
 * The notification outbox: one entry per price alert, written after the check that raised it
 * committed, and marked delivered once every channel took it.
 *
 * While an entry is undelivered it sits in the due index (partition `R<n>`, sort key `nextCheckAt`
 * = its next delivery attempt), like a schedulable job: the first attempt's lease is written with
 * the entry, each redrive claim moves it forward, and delivery or give-up removes the entry from
 * the index. A crash at any point leaves it there, due again when its lease ends.
 */
@Injectable()
export class OutboxRepository extends JobsTable {
  /**
   * Stores an alert under `sk` (the job's notificationSk), in the due index with its first
   * attempt's lease ending at `retryAt`; idempotent (an existing entry is left as it is).
   */
  async put(
    userId: string,
    sk: string,
    notification: Notification,
    retryAt: number,
  ): Promise<void> {
    await this.putIfAbsent({
      pk: userPk(userId),
      sk,
      entity: 'NOTIFICATION',
      userId,
      ...stripUndefined({ ...notification }),
      deliveryAttempts: 1,
      [DUE_INDEX.partition]: redriveShardOf(notification.notificationId, this.aws.DUE_SHARDS),
      [DUE_INDEX.sort]: retryAt,
    });
  }

  async get(userId: string, sk: string): Promise<Notification | null> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: userPk(userId), sk },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toNotification(out.Item) : null;
  }

  /** Every channel took it: delivered, out of the due index (even if it had been given up). */
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
        UpdateExpression:
          'SET deliveredAt = :at, channels = :channels REMOVE #shard, #next, lastDeliveryError, gaveUpAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: DUE_INDEX_NAMES,
        ExpressionAttributeValues: { ':at': at.toISOString(), ':channels': channels },
      }),
    );
  }

  /**
   * An attempt failed: keeps the reason and the channels that took it so far (a retry skips them).
   * The entry stays in the due index; its next attempt is the lease already written.
   */
  async recordDeliveryFailure(
    userId: string,
    sk: string,
    reason: string,
    channels: string[],
  ): Promise<void> {
    // Not applied when another attempt delivered it meanwhile: nothing left to record.
    await this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk },
          UpdateExpression: 'SET lastDeliveryError = :reason, channels = :channels',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deliveredAt)',
          ExpressionAttributeValues: { ':reason': reason, ':channels': channels },
        }),
      ),
    );
  }

  /**
   * The redrive's claim of a due entry: its next attempt moves to `nextAttemptAt` (the lease of
   * this attempt) and the attempt is counted. Conditional on it being due and undelivered, so
   * overlapping runs claim it once. False when it was not (or no longer) due.
   */
  async claimRedrive(
    userId: string,
    sk: string,
    nowMs: number,
    nextAttemptAt: number,
  ): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk },
          UpdateExpression: 'SET #next = :lease ADD deliveryAttempts :one',
          ConditionExpression:
            'attribute_exists(#shard) AND #next <= :now AND attribute_not_exists(deliveredAt)',
          ExpressionAttributeNames: DUE_INDEX_NAMES,
          ExpressionAttributeValues: { ':lease': nextAttemptAt, ':now': nowMs, ':one': 1 },
        }),
      ),
    );
  }

  /** Undoes a claim whose message could not be sent (only while that lease still holds). */
  async releaseRedrive(userId: string, sk: string, lease: number, dueAt: number): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk },
          UpdateExpression: 'SET #next = :due',
          ConditionExpression: 'attribute_exists(#shard) AND #next = :lease',
          ExpressionAttributeNames: DUE_INDEX_NAMES,
          ExpressionAttributeValues: { ':due': dueAt, ':lease': lease },
        }),
      ),
    );
  }

  /**
   * Gives a due, undelivered entry up: out of the due index for good, `gaveUpAt` set; the entry
   * stays for its owner to see. False when it was not due or was delivered meanwhile.
   */
  async giveUp(userId: string, sk: string, nowMs: number): Promise<boolean> {
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(userId), sk },
          UpdateExpression: 'SET gaveUpAt = :at REMOVE #shard, #next',
          ConditionExpression:
            'attribute_exists(#shard) AND #next <= :now AND attribute_not_exists(deliveredAt)',
          ExpressionAttributeNames: DUE_INDEX_NAMES,
          ExpressionAttributeValues: { ':at': new Date(nowMs).toISOString(), ':now': nowMs },
        }),
      ),
    );
  }

  /** One page of the undelivered entries of a redrive shard that are due, oldest due first. */
  async queryDueRedrives(
    shard: string,
    nowMs: number,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ alerts: DueAlert[]; lastKey?: Record<string, unknown> }> {
    const page = await this.queryDueIndex(shard, nowMs, limit, startKey);
    const alerts: DueAlert[] = [];
    for (const item of page.items) {
      const sk = item.sk as string;
      const parts = sk.startsWith(NOTIFICATION_SK_PREFIX) ? notificationKeyParts(sk) : null;
      const createdAtMs = parts ? Date.parse(parts.createdAt) : NaN;
      if (Number.isNaN(createdAtMs)) continue; // not an outbox entry: nothing to redrive
      alerts.push({
        userId: userIdFromPk(item.pk as string),
        sk,
        createdAtMs,
        nextAttemptAt: item[DUE_INDEX.sort] as number,
      });
    }
    return { alerts, lastKey: page.lastKey };
  }

  /** How many entries of a redrive shard are undelivered and not given up (due or not). */
  async countUndelivered(shard: string): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: DUE_INDEX.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': DUE_INDEX.partition },
          ExpressionAttributeValues: { ':shard': shard },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** A page of the user's alerts, newest first. */
  list(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<Notification>> {
    return this.collectionPage(userId, NOTIFICATION_SK_PREFIX, opts, toNotification);
  }
}
