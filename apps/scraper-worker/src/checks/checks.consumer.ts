import type { Message } from '@aws-sdk/client-sqs';
import { Injectable, Logger } from '@nestjs/common';
import { SqsConsumerEventHandler, SqsMessageHandler } from '@ssut/nestjs-sqs';
import { CheckService } from './check.service';

export const CHECKS_CONSUMER = 'checks';

@Injectable()
export class ChecksConsumer {
  private readonly logger = new Logger(ChecksConsumer.name);

  constructor(private readonly checks: CheckService) {}

  /**
   * An unreachable queue must not kill the worker: sqs-consumer emits 'error' for a failed poll
   * (and crashes the process when nobody listens), then keeps polling on its own.
   */
  @SqsConsumerEventHandler(CHECKS_CONSUMER, 'error')
  onError(err: Error): void {
    this.logger.warn({ err: err.message }, 'polling the checks queue failed; retrying');
  }

  /** A check that threw: its message comes back after the retry visibility (DLQ after 5 receives). */
  @SqsConsumerEventHandler(CHECKS_CONSUMER, 'processing_error')
  onProcessingError(err: Error, message: Message): void {
    this.logger.error(
      { err, messageId: message?.MessageId },
      'check failed; the message will be retried',
    );
  }

  @SqsConsumerEventHandler(CHECKS_CONSUMER, 'timeout_error')
  onTimeout(err: Error, message: Message): void {
    this.logger.error(
      { err: err.message, messageId: message?.MessageId },
      'check timed out; the message will be retried',
    );
  }

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
