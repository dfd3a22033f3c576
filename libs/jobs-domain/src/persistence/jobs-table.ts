import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AWS_CONFIG,
  AwsConfig,
  DYNAMODB,
  DYNAMODB_QUERY,
  SignedQuery,
  SignedQueryInput,
} from '@app/aws-clients';
import { Page } from '../domain/job';
import { decodeCursor, encodeCursor } from './cursor';
import { userPk } from './keys';
import { DUE_INDEX } from './table-schema';

/** Table bookkeeping that is not part of a domain object: keys, index attribute, TTL. */
const KEY_FIELDS = ['pk', 'sk', 'entity', 'dueShard', 'expiresAt'] as const;

/** An item without its table bookkeeping (and any `extra` attributes, such as the owner). */
export function withoutKeys(
  item: Record<string, unknown>,
  extra: string[] = [],
): Record<string, unknown> {
  const copy = { ...item };
  for (const k of [...KEY_FIELDS, ...extra]) delete copy[k];
  return copy;
}

/**
 * The placeholders of the due-index attributes, for the expressions that read or move an item's
 * place in it (DynamoDB refuses unused placeholders, so a query of the shard alone names its own).
 */
export const DUE_INDEX_NAMES = { '#shard': DUE_INDEX.partition, '#next': DUE_INDEX.sort } as const;

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The base of every repository over the single jobs table (see table-schema.ts): the client, the
 * table name, and the access patterns the aggregates share (a page of one item collection, a
 * conditional write, an idempotent put, a page of a due-index shard, a batch delete of a
 * collection). Subclasses add one aggregate each.
 */
export abstract class JobsTable {
  protected readonly table: string;

  constructor(
    @Inject(DYNAMODB) protected readonly dynamo: DynamoDBDocumentClient,
    @Inject(AWS_CONFIG) protected readonly aws: AwsConfig,
    /** The pages' Query as one signed request (the hot path); without it, the Document client. */
    @Optional() @Inject(DYNAMODB_QUERY) private readonly signedQuery?: SignedQuery,
  ) {
    this.table = aws.JOBS_TABLE_NAME;
  }

  /**
   * A page of up to `limit` items of the user's collection under `prefix`, newest first. With a
   * filter DynamoDB may return short pages, so this keeps reading until the page is full or the
   * collection ends; the cursor is the last key read, and a cursor from elsewhere is refused.
   */
  protected async collectionPage<T>(
    userId: string,
    prefix: string,
    opts: { limit: number; cursor?: string },
    map: (item: Record<string, unknown>) => T,
    filter?: Pick<
      QueryCommandInput,
      | 'FilterExpression'
      | 'ProjectionExpression'
      | 'ExpressionAttributeNames'
      | 'ExpressionAttributeValues'
    >,
  ): Promise<Page<T>> {
    const pk = userPk(userId);
    const input: SignedQueryInput = {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ScanIndexForward: false,
      ...filter,
      ExpressionAttributeValues: {
        ':pk': pk,
        ':prefix': prefix,
        ...filter?.ExpressionAttributeValues,
      },
    };
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(opts.cursor, pk, prefix);
    for (;;) {
      const page = { ...input, Limit: opts.limit - items.length, ExclusiveStartKey: startKey };
      const out = this.signedQuery
        ? await this.signedQuery.send(page)
        : await this.dynamo.send(new QueryCommand(page));
      for (const item of out.Items ?? []) items.push(map(item));
      startKey = out.LastEvaluatedKey;
      if (!startKey || items.length >= opts.limit) break;
    }
    return { items, nextCursor: encodeCursor(startKey) };
  }

  /**
   * Runs a conditional write: true when it was applied, false when its ConditionExpression did not
   * hold (the item is gone, moved on, or was claimed by someone else). Every other error (throttling,
   * validation, a deadline) is thrown as it came, never read as "condition failed".
   */
  protected async conditionalWrite(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Writes `item` unless an item with its key exists; a retry of the same write is a no-op. */
  protected async putIfAbsent(item: Record<string, unknown>): Promise<void> {
    await this.conditionalWrite(() =>
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /**
   * One page of the items of a due-index shard that are due at `nowMs`, oldest due first. Jobs
   * (S… shards) and undelivered alerts (R… shards) share the index; each reads its own shards.
   */
  protected async queryDueIndex(
    shard: string,
    nowMs: number,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
    const out = await this.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: '#shard = :shard AND #next <= :now',
        ExpressionAttributeNames: DUE_INDEX_NAMES,
        ExpressionAttributeValues: { ':shard': shard, ':now': nowMs },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  /** Deletes every item of the user's collection under `prefix`; returns how many there were. */
  protected async deleteCollection(userId: string, prefix: string): Promise<number> {
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
}
