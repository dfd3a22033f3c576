import {
  MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_CONFIG, AwsConfig, SQS } from '@app/aws-clients';
import { buildCheckMessage, QueueMessage } from '../domain/check-message';

/** Propagation headers (W3C traceparent/tracestate) to carry in message attributes. */
export type TraceCarrier = Record<string, string>;

export interface CheckToSend {
  userId: string;
  jobId: string;
  trace?: TraceCarrier;
}

/** A message of any kind, with the trace to carry. */
export interface MessageToSend {
  message: QueueMessage;
  trace?: TraceCarrier;
}

function attributes(trace?: TraceCarrier): Record<string, MessageAttributeValue> | undefined {
  if (!trace || Object.keys(trace).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(trace).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  );
}

/** Sends messages to the `checks` queue, the worker's inbox (check-message.ts is the contract). */
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
    await this.sendMessage({
      message: buildCheckMessage(check.userId, check.jobId),
      trace: check.trace,
    });
  }

  async sendMessage(item: MessageToSend): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.url(),
        MessageBody: JSON.stringify(item.message),
        MessageAttributes: attributes(item.trace),
      }),
    );
  }

  /**
   * Sends check messages, up to 10 a call, retrying the entries SQS reports as failed (with
   * backoff). Returns the jobs whose messages could not be sent after the retries.
   */
  sendBatch(checks: CheckToSend[], maxAttempts = 3): Promise<CheckToSend[]> {
    return this.sendEach(checks, (c) => buildCheckMessage(c.userId, c.jobId), maxAttempts);
  }

  /** Like sendBatch, for messages of any kind; returns the items that could not be sent. */
  sendMessages<T extends MessageToSend>(items: T[], maxAttempts = 3): Promise<T[]> {
    return this.sendEach(items, (i) => i.message, maxAttempts);
  }

  private async sendEach<T extends { trace?: TraceCarrier }>(
    items: T[],
    toMessage: (item: T) => QueueMessage,
    maxAttempts: number,
  ): Promise<T[]> {
    const failed: T[] = [];
    for (let i = 0; i < items.length; i += 10) {
      let pending = items.slice(i, i + 10);
      for (let attempt = 0; pending.length > 0 && attempt < maxAttempts; attempt++) {
        if (attempt > 0) await sleep(100 * 2 ** attempt);
        try {
          const out = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.url(),
              Entries: pending.map((c, n) => ({
                Id: String(n),
                MessageBody: JSON.stringify(toMessage(c)),
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
