import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
// The table definition the app provisions, not a copy; test support may reach into the library.
// eslint-disable-next-line no-restricted-imports
import { jobsTableDefinition } from '../../libs/jobs-domain/src/persistence/table-schema';

/**
 * A jobs table private to one test file, in the suite's dynalite. A test that runs a rescheduler
 * needs one: a rescheduler claims every due job of its table, so on the shared table it would take
 * other files' new jobs (pending → queued under their feet) and they its.
 */
export async function createTestTable(
  tag: string,
): Promise<{ tableName: string; dispose(): Promise<void> }> {
  const tableName = `${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const dynamo = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
  await dynamo.send(new CreateTableCommand(jobsTableDefinition(tableName)));
  await waitUntilTableExists(
    { client: dynamo, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
  return {
    tableName,
    dispose: async () => {
      await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      dynamo.destroy();
    },
  };
}
