import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { Notification, Page } from '../domain/job';
import { JobsTable, stripUndefined, withoutKeys } from './jobs-table';
import { NOTIFICATION_SK_PREFIX, userPk } from './keys';

function toNotification(item: Record<string, unknown>): Notification {
  return withoutKeys(item, ['userId']) as unknown as Notification;
}

/**
 * The notification outbox: one entry per price alert, written after the check that raised it
 * committed, and marked delivered once every channel took it.
 */
@Injectable()
export class OutboxRepository extends JobsTable {
  /** Stores an alert under `sk` (the job's notificationSk); idempotent. */
  async put(userId: string, sk: string, notification: Notification): Promise<void> {
    await this.putIfAbsent({
      pk: userPk(userId),
      sk,
      entity: 'NOTIFICATION',
      userId,
      ...stripUndefined({ ...notification }),
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

  /** A page of the user's alerts, newest first. */
  list(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<Notification>> {
    return this.collectionPage(userId, NOTIFICATION_SK_PREFIX, opts, toNotification);
  }
}
