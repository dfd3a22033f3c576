import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { isTransientDependencyError } from '@app/platform';
import { hungServer } from '../../../test/support/hung-server';
import { AwsConfig } from './aws.config';
import { createAwsClients } from './aws-clients.module';

describe('AWS clients under a hung dependency', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function clients(endpoint: string, timeoutMs: number) {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    process.env.AWS_ENDPOINT_URL_SQS = endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    return createAwsClients(Object.assign(new AwsConfig(), { AWS_REQUEST_TIMEOUT_MS: timeoutMs }));
  }

  it('fails a DynamoDB call at its deadline, retries included, with an error the API maps to 503', async () => {
    const hung = await hungServer();
    const { dynamo } = clients(hung.url, 1000);
    try {
      const started = Date.now();
      const err = await dynamo
        .send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const took = Date.now() - started;
      expect(err).toBeDefined();
      expect(isTransientDependencyError(err)).toBe(true);
      // The whole call, not each attempt: three attempts of 1 s would take 3 s and more.
      expect(took).toBeLessThan(2500);
      expect(hung.accepted()).toBeGreaterThanOrEqual(1);
    } finally {
      dynamo.destroy();
      hung.close();
    }
  });

  it('gives a long poll its wait time on top of the deadline, and still ends it', async () => {
    const hung = await hungServer();
    const { sqs } = clients(hung.url, 300);
    try {
      const started = Date.now();
      const err = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: `${hung.url}/000000000000/q`,
            WaitTimeSeconds: 1,
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const took = Date.now() - started;
      expect(isTransientDependencyError(err)).toBe(true);
      // Not cut at 300 ms (the poll may legitimately wait 1 s), and not left hanging either.
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(1300 + 1500);
    } finally {
      sqs.destroy();
      hung.close();
    }
  });

  it('honours a caller abort as well as its own deadline', async () => {
    const hung = await hungServer();
    const { dynamo } = clients(hung.url, 10_000);
    try {
      const controller = new AbortController();
      const call = dynamo
        .send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }), {
          abortSignal: controller.signal,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      setTimeout(() => controller.abort(), 100);
      const err = await call;
      expect((err as Error).name).toMatch(/Abort/);
    } finally {
      dynamo.destroy();
      hung.close();
    }
  });
});
