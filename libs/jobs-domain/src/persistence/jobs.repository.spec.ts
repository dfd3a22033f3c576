import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AwsConfig } from '@app/aws-clients';
import { JobsRepository } from './jobs.repository';

/** A DynamoDB client that answers from a script: one handler per command type. */
function fakeDynamo(handlers: {
  query?: (input: QueryCommand['input']) => unknown;
  batch?: (input: BatchWriteCommand['input']) => unknown;
}) {
  const calls: { name: string; input: unknown }[] = [];
  const client = {
    send: jest.fn(async (command: { constructor: { name: string }; input: unknown }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      if (command instanceof QueryCommand) return handlers.query?.(command.input) ?? { Items: [] };
      if (command instanceof BatchWriteCommand) return handlers.batch?.(command.input) ?? {};
      return {};
    }),
  };
  return { client: client as unknown as DynamoDBDocumentClient, calls };
}

const config = { JOBS_TABLE_NAME: 'jobs', DUE_SHARDS: 8 } as AwsConfig;

describe('JobsRepository.deleteAll', () => {
  it('deletes in batches of 25 and retries the items DynamoDB leaves unprocessed', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => ({ pk: 'USER#u', sk: `JOB#${i}` }));
    let firstBatch = true;
    const deleted: string[] = [];
    const { client, calls } = fakeDynamo({
      query: (input) => ({
        Items:
          (input.ExpressionAttributeValues as Record<string, string>)[':prefix'] === 'JOB#'
            ? keys
            : [],
      }),
      batch: (input) => {
        const requests = input.RequestItems!.jobs as { DeleteRequest: { Key: { sk: string } } }[];
        // The first call leaves its last two items unprocessed, as DynamoDB does under throttling.
        const done = firstBatch ? requests.slice(0, -2) : requests;
        const left = firstBatch ? requests.slice(-2) : [];
        firstBatch = false;
        deleted.push(...done.map((r) => r.DeleteRequest.Key.sk));
        return { UnprocessedItems: left.length ? { jobs: left } : {} };
      },
    });
    const repo = new JobsRepository(client, config);
    await expect(repo.deleteAll('u')).resolves.toBe(30);
    expect(new Set(deleted)).toEqual(new Set(keys.map((k) => k.sk)));
    expect(deleted).toHaveLength(30);
    const batches = calls.filter((c) => c.name === 'BatchWriteCommand');
    expect(batches.length).toBe(3); // 25 (2 left over) + their retry + the last 5
    expect(calls.some((c) => c.name === 'ScanCommand')).toBe(false);
  });
});

describe('JobsRepository.list', () => {
  it("queries the caller's partition and keeps reading when a status filter leaves the page short", async () => {
    const pages = [
      {
        Items: [{ pk: 'USER#u', sk: 'JOB#1', jobId: '1', status: 'active' }],
        LastEvaluatedKey: { pk: 'USER#u', sk: 'JOB#1' },
      },
      { Items: [{ pk: 'USER#u', sk: 'JOB#2', jobId: '2', status: 'active' }] },
    ];
    const { client, calls } = fakeDynamo({ query: () => pages.shift() });
    const page = await new JobsRepository(client, config).list('u', { limit: 2, status: 'active' });
    expect(page.items.map((j) => j.jobId)).toEqual(['1', '2']);
    expect(page.nextCursor).toBeNull();
    const inputs = calls.map((c) => c.input as QueryCommand['input']);
    // Only what an owner sees is read: never the keys, the owner or a check's claim.
    for (const i of inputs) {
      const names = i.ExpressionAttributeNames as Record<string, string>;
      const projected = i.ProjectionExpression!.split(', ').map((p) => names[p]);
      expect(projected).toEqual(
        expect.arrayContaining(['jobId', 'url', 'status', 'priceCandidates']),
      );
      for (const hidden of ['pk', 'sk', 'userId', 'version', 'claimMessageId', 'dueShard'])
        expect(projected).not.toContain(hidden);
      expect(i.FilterExpression).toBe('#status = :status');
      expect(names['#status']).toBe('status');
    }
    expect(
      inputs.every(
        (i) => (i.ExpressionAttributeValues as Record<string, string>)[':pk'] === 'USER#u',
      ),
    ).toBe(true);
    expect(inputs[1].Limit).toBe(1);
  });
});
