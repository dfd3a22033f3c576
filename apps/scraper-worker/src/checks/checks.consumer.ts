import { ChangeMessageVisibilityCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { SqsConsumerEventHandler, SqsMessageHandler } from '@ssut/nestjs-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_CONFIG, AwsConfig, SQS } from '@app/aws-clients';
import { WORKER_CONFIG, WorkerConfig } from '../worker.config';
import { CheckAbandonedError, CheckService } from './check.service';

export const CHECKS_CONSUMER = 'checks';

/**
 * Messages given back on shutdown: their visibility goes to 0 (another worker takes them at once),
 * never to the retry backoff that a failed check earns. Shared with `retryVisibility`, which
 * sqs-consumer calls after a handler threw.
 */
const released = new Set<string>();

@Injectable()
export class ChecksConsumer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ChecksConsumer.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborts the checks still running when the grace period ends. */
  private readonly abandon = new AbortController();
  private stopping = false;

  constructor(
    private readonly checks: CheckService,
    @Inject(SQS) private readonly sqs: SQSClient,
    @Inject(AWS_CONFIG) private readonly aws: AwsConfig,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /**
   * Runs after SqsService.onModuleDestroy stopped polling and before onApplicationShutdown closes
   * the fetchers and the AWS clients: checks in flight finish within SHUTDOWN_GRACE_MS; the rest
   * are abandoned before their commit point (job released, message visible again).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const running = this.inFlight.size;
    if (running === 0) return;
    this.logger.log(
      { running, graceMs: this.config.SHUTDOWN_GRACE_MS },
      'shutdown: waiting for checks in flight',
    );
    const settled = Promise.allSettled([...this.inFlight]);
    const grace = new AbortController();
    const finished = await Promise.race([
      settled.then(() => true),
      sleep(this.config.SHUTDOWN_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!finished) {
      this.logger.warn(
        { abandoned: this.inFlight.size },
        'shutdown: grace period over; releasing the checks still running',
      );
      this.abandon.abort();
      await settled;
    }
    this.logger.log('shutdown: no check in flight');
  }

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
    if (err instanceof CheckAbandonedError) return; // logged where it was released
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
    const run = this.stopping
      ? Promise.reject(new CheckAbandonedError()) // received by the last poll, after stop()
      : this.checks.handle(message, this.abandon.signal);
    this.inFlight.add(run);
    try {
      await run;
    } catch (err) {
      if (err instanceof CheckAbandonedError) await this.giveBack(message);
      throw err;
    } finally {
      this.inFlight.delete(run);
    }
  }

  /** Makes an abandoned message visible again now (sqs-consumer's own change then also uses 0). */
  private async giveBack(message: Message): Promise<void> {
    if (message.MessageId) released.add(message.MessageId);
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.aws.CHECKS_QUEUE_URL,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } catch (err) {
      this.logger.warn(
        { messageId: message.MessageId, err: (err as Error)?.name },
        'could not make the abandoned message visible; it comes back after its visibility timeout',
      );
    }
  }
}

/**
 * Visibility after a failed attempt: `baseSeconds`, doubling with each receive, at most 15
 * minutes. The fifth receive sends the message to the DLQ (the queue's redrive policy).
 */
export function retryVisibility(baseSeconds: number): (messages: Message[]) => number {
  return (messages) => {
    if (messages.every((m) => m.MessageId && released.has(m.MessageId))) return 0;
    const receives = Math.max(
      1,
      ...messages.map((m) => Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1),
    );
    return Math.min(900, baseSeconds * 2 ** (receives - 1));
  };
}
