/**
 * The single DynamoDB table that holds jobs, their price history and the notification outbox.
 *
 * Item collections (all under the owner's partition, so every read is scoped to the caller):
 *   pk = USER#<userId>  sk = JOB#<jobId>                    a job
 *   pk = USER#<userId>  sk = HIST#<jobId>#<checkedAt>#<id>  a price point (TTL on expiresAt)
 *   pk = USER#<userId>  sk = NOTIF#<createdAt>#<id>         a notification (the outbox)
 *
 * The sparse GSI `due-index` (partition dueShard, sort nextCheckAt) holds only jobs that can fall
 * due: the attribute dueShard is present on pending, queued, processing and active jobs and
 * removed from paused, notified and failed ones.
 *
 * This file is a leaf module (no imports) so that the local stack's scripts can load it too.
 */
export const KEY = { partition: 'pk', sort: 'sk' } as const;
export const DUE_INDEX = {
  name: 'due-index',
  partition: 'dueShard',
  sort: 'nextCheckAt',
} as const;
export const HISTORY_TTL_ATTRIBUTE = 'expiresAt';
export const DEFAULT_DUE_SHARDS = 8;

export function jobsTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: KEY.partition, AttributeType: 'S' as const },
      { AttributeName: KEY.sort, AttributeType: 'S' as const },
      { AttributeName: DUE_INDEX.partition, AttributeType: 'S' as const },
      { AttributeName: DUE_INDEX.sort, AttributeType: 'N' as const },
    ],
    KeySchema: [
      { AttributeName: KEY.partition, KeyType: 'HASH' as const },
      { AttributeName: KEY.sort, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX.name,
        KeySchema: [
          { AttributeName: DUE_INDEX.partition, KeyType: 'HASH' as const },
          { AttributeName: DUE_INDEX.sort, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}

/** The checks queue and its dead-letter queue; a message moves to the DLQ after this many receives. */
export const CHECKS_QUEUE = {
  name: 'checks',
  deadLetterName: 'checks-dlq',
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 120,
  messageRetentionSeconds: 4 * 24 * 3600,
  deadLetterRetentionSeconds: 14 * 24 * 3600,
} as const;
