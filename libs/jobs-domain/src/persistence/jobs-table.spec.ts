import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AwsConfig } from '@app/aws-clients';
import { Job } from '../domain/job';
import { JobsRepository, StaleJobError } from './jobs.repository';
import { OutboxRepository } from './outbox.repository';
import { PriceHistoryRepository } from './price-history.repository';
import { ProfilesRepository } from './profiles.repository';

const config = { JOBS_TABLE_NAME: 'jobs', DUE_SHARDS: 8 } as AwsConfig;

/** A client whose every write fails with `error` (queries answer with `items` and no next page). */
function failingDynamo(error: Error, items: Record<string, unknown>[] = []) {
  const sent: unknown[] = [];
  const client = {
    send: jest.fn(async (command: unknown) => {
      sent.push(command);
      if (command instanceof QueryCommand) return { Items: items };
      throw error;
    }),
  };
  return { client: client as unknown as DynamoDBDocumentClient, sent };
}

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

const job = {
  userId: 'u',
  jobId: 'j',
  status: 'active',
  version: 3,
} as unknown as Job;

/**
 * Every conditional write of the repositories over the jobs table, with what it gives when its
 * condition does not hold. Whatever else goes wrong must reach the caller unchanged: a throttled
 * claim read as "not due" would silently skip a job, a throttled release as "not ours" would
 * leave it waiting out its lease.
 */
const conditionalWrites: {
  name: string;
  call: (c: DynamoDBDocumentClient) => Promise<unknown>;
  onConditionFailed: 'false' | 'undefined' | 'stale' | 'refused';
}[] = [
  {
    name: 'JobsRepository.delete',
    call: (c) => new JobsRepository(c, config).delete('u', 'j'),
    onConditionFailed: 'false',
  },
  {
    name: 'JobsRepository.claimDue',
    call: (c) => new JobsRepository(c, config).claimDue('u', 'j', 1000, 60_000),
    onConditionFailed: 'false',
  },
  {
    name: 'JobsRepository.releaseClaim',
    call: (c) => new JobsRepository(c, config).releaseClaim('u', 'j', 61_000, 900),
    onConditionFailed: 'false',
  },
  {
    name: 'JobsRepository.transition',
    call: (c) => new JobsRepository(c, config).transition(job, { set: { status: 'paused' } }),
    onConditionFailed: 'stale',
  },
  {
    name: 'OutboxRepository.claimRedrive',
    call: (c) => new OutboxRepository(c, config).claimRedrive('u', 'NOTIF#t#n', 1000, 2000),
    onConditionFailed: 'false',
  },
  {
    name: 'OutboxRepository.releaseRedrive',
    call: (c) => new OutboxRepository(c, config).releaseRedrive('u', 'NOTIF#t#n', 2000, 900),
    onConditionFailed: 'false',
  },
  {
    name: 'OutboxRepository.giveUp',
    call: (c) => new OutboxRepository(c, config).giveUp('u', 'NOTIF#t#n', 1000),
    onConditionFailed: 'false',
  },
  {
    name: 'OutboxRepository.recordDeliveryFailure',
    call: (c) =>
      new OutboxRepository(c, config).recordDeliveryFailure('u', 'NOTIF#t#n', 'timeout', []),
    onConditionFailed: 'undefined',
  },
  {
    name: 'OutboxRepository.put (idempotent)',
    call: (c) =>
      new OutboxRepository(c, config).put('u', 'NOTIF#t#n', { notificationId: 'n' } as never, 2000),
    onConditionFailed: 'undefined',
  },
  {
    name: 'PriceHistoryRepository.record (idempotent)',
    call: (c) =>
      new PriceHistoryRepository(c, config).record(
        'u',
        { checkId: 'c', jobId: 'j', checkedAt: '2026-01-01T00:00:00.000Z', outcome: 'ok' },
        3600,
      ),
    onConditionFailed: 'undefined',
  },
  {
    name: 'ProfilesRepository.finishWebhookTest',
    call: (c) =>
      new ProfilesRepository(c, config).finishWebhookTest('u', 't', {
        state: 'sent',
        httpStatus: 200,
      }),
    onConditionFailed: 'false',
  },
  {
    name: 'ProfilesRepository.startWebhookTest',
    call: (c) =>
      new ProfilesRepository(c, config).startWebhookTest(
        'u',
        { testId: 't', requestedAt: '2026-01-01T00:00:00.000Z' },
        60_000,
      ),
    onConditionFailed: 'refused',
  },
];

/**
 * The profile reads that finishWebhookTest and startWebhookTest make around their write: a
 * pending test `t` for a saved webhook, so the write is reached and a refusal can be explained.
 */
function withProfile(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return {
    send: async (command: { constructor: { name: string } }) =>
      command.constructor.name === 'GetCommand'
        ? {
            Item: {
              webhookUrl: 'https://hooks.example/x',
              webhookTest: { testId: 't', requestedAt: '2026-01-01T00:00:00.000Z' },
            },
          }
        : send(command),
  } as unknown as DynamoDBDocumentClient;
}

describe('conditional writes over the jobs table', () => {
  describe.each(conditionalWrites)('$name', ({ call, onConditionFailed }) => {
    it('reads a failed condition as its documented outcome', async () => {
      const { client, sent } = failingDynamo(conditionFailed());
      const result = call(withProfile(client));
      switch (onConditionFailed) {
        case 'false':
          await expect(result).resolves.toBe(false);
          break;
        case 'undefined':
          await expect(result).resolves.toBeUndefined();
          break;
        case 'stale':
          await expect(result).rejects.toBeInstanceOf(StaleJobError);
          break;
        case 'refused':
          await expect(result).resolves.toMatchObject({ refused: 'too_soon' });
          break;
      }
      expect(sent).toHaveLength(1);
    });

    it('throws any other error as it came, never as a failed condition', async () => {
      const error = throttled();
      const { client } = failingDynamo(error);
      await expect(call(withProfile(client))).rejects.toBe(error);
    });
  });
});

describe('the due-index query', () => {
  it('reads one shard of the due index up to now, a page at a time, for jobs and alerts alike', async () => {
    const { client, sent } = failingDynamo(new Error('no writes here'), [
      { pk: 'USER#u', sk: 'JOB#j', nextCheckAt: 500 },
      { pk: 'USER#u', sk: 'NOTIF#2026-01-01T00:00:00.000Z#n', nextCheckAt: 600 },
    ]);
    const start = { pk: 'USER#u', sk: 'JOB#i', dueShard: 'S1', nextCheckAt: 400 };
    const jobsPage = await new JobsRepository(client, config).queryDue('S1', 1000, 25, start);
    const alertsPage = await new OutboxRepository(client, config).queryDueRedrives('R1', 1000, 10);
    // Each reads its own kind from the page: the outbox skips what is not an alert.
    expect(jobsPage.keys[0]).toEqual({ userId: 'u', jobId: 'j', nextCheckAt: 500 });
    expect(alertsPage.alerts).toEqual([
      {
        userId: 'u',
        sk: 'NOTIF#2026-01-01T00:00:00.000Z#n',
        createdAtMs: Date.parse('2026-01-01T00:00:00.000Z'),
        nextAttemptAt: 600,
      },
    ]);
    const [jobsQuery, alertsQuery] = (sent as QueryCommand[]).map((c) => c.input);
    for (const [input, shard, limit] of [
      [jobsQuery, 'S1', 25],
      [alertsQuery, 'R1', 10],
    ] as const) {
      expect(input).toMatchObject({
        TableName: 'jobs',
        IndexName: 'due-index',
        KeyConditionExpression: '#shard = :shard AND #next <= :now',
        ExpressionAttributeNames: { '#shard': 'dueShard', '#next': 'nextCheckAt' },
        ExpressionAttributeValues: { ':shard': shard, ':now': 1000 },
        Limit: limit,
      });
    }
    expect(jobsQuery.ExclusiveStartKey).toEqual(start);
    expect(alertsQuery.ExclusiveStartKey).toBeUndefined();
  });
});
