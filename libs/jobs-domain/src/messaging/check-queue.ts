import {
  MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_CONFIG, AwsConfig, SQS } from '@app/aws-clients';
import { buildCheckMessage } from '../domain/check-message';

/** Propagation headers (W3C traceparent/tracestate) to carry in message attributes. */
export type TraceCarrier = Record<string, string>;

export interface CheckToSend {
  userId: string;
  jobId: string;
  trace?: TraceCarrier;
}

function attributes(trace?: TraceCarrier): Record<string, MessageAttributeValue> | undefined {
  if (!trace || Object.keys(trace).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(trace).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  );
}

/** Sends check messages to the `checks` queue. */
@Injectable()
export class CheckQueue {
  private readonly queueUrl: string | undefined;

  constructor(
    @Inject(SQS) private readonly sqs: SQSClient,
    @Inject(AWS_CONFIG) config: AwsConfig,
  ) {
    this.queueUrl = config.CHECKS_QUEUE_URL;
  }

  private url(): string {
    if (!this.queueUrl) throw new Error('CHECKS_QUEUE_URL is not configured');
    return this.queueUrl;
  }

  async send(check: CheckToSend): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.url(),
        MessageBody: JSON.stringify(buildCheckMessage(check.userId, check.jobId)),
        MessageAttributes: attributes(check.trace),
      }),
    );
  }

  /**
   * Sends up to 10 messages a call, retrying the entries SQS reports as failed (with backoff).
   * Returns the jobs whose messages could not be sent after the retries.
   */
  async sendBatch(checks: CheckToSend[], maxAttempts = 3): Promise<CheckToSend[]> {
    const failed: CheckToSend[] = [];
    for (let i = 0; i < checks.length; i += 10) {
      let pending = checks.slice(i, i + 10);
      for (let attempt = 0; pending.length > 0 && attempt < maxAttempts; attempt++) {
        if (attempt > 0) await sleep(100 * 2 ** attempt);
        try {
          const out = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.url(),
              Entries: pending.map((c, n) => ({
                Id: String(n),
                MessageBody: JSON.stringify(buildCheckMessage(c.userId, c.jobId)),
                MessageAttributes: attributes(c.trace),
              })),
            }),
          );
          const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
          pending = pending.filter((_, n) => failedIds.has(String(n)));
        } catch {
          // The whole call failed (network, throttling): retry every entry.
        }
      }
      failed.push(...pending);
    }
    return failed;
  }
}
