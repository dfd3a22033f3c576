import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export function sqsClient(): SQSClient {
  return new SQSClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
}

/** A queue (with its own DLQ, redrive after `maxReceiveCount`) private to one test file. */
export async function createTestQueue(
  sqs: SQSClient,
  name: string,
  opts: { visibilityTimeout?: number; maxReceiveCount?: number } = {},
): Promise<{ queueUrl: string; dlqUrl: string; dispose(): Promise<void> }> {
  const suffix = `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${suffix}-dlq` }));
  const dlqArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes!.QueueArn!;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: suffix,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: opts.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  return {
    queueUrl: q.QueueUrl!,
    dlqUrl: dlq.QueueUrl!,
    dispose: async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: q.QueueUrl })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl })).catch(() => undefined);
    },
  };
}

/** Receives what is on the queue now (short polls until one comes back empty). */
export async function drain(
  sqs: SQSClient,
  queueUrl: string,
  visibilityTimeout = 30,
): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibilityTimeout,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) return all;
    all.push(...out.Messages);
  }
}
