import type { Message } from '@aws-sdk/client-sqs';
import { Injectable } from '@nestjs/common';
import { SqsMessageHandler } from '@ssut/nestjs-sqs';
import { CheckService } from './check.service';

export const CHECKS_CONSUMER = 'checks';

@Injectable()
export class ChecksConsumer {
  constructor(private readonly checks: CheckService) {}

  /** Resolving deletes the message; throwing leaves it to come back after a backoff. */
  @SqsMessageHandler(CHECKS_CONSUMER, false)
  async handle(message: Message): Promise<void> {
    await this.checks.handle(message);
  }
}

/**
 * Visibility after a failed attempt: `baseSeconds`, doubling with each receive, at most 15
 * minutes. The fifth receive sends the message to the DLQ (the queue's redrive policy).
 */
export function retryVisibility(baseSeconds: number): (messages: Message[]) => number {
  return (messages) => {
    const receives = Math.max(
      1,
      ...messages.map((m) => Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1),
    );
    return Math.min(900, baseSeconds * 2 ** (receives - 1));
  };
}
