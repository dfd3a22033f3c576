import { Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Consumer } from 'sqs-consumer';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_CONFIG, AwsConfig, SQS } from '@app/aws-clients';
import { WORKER_CONFIG, WorkerConfig } from '../worker.config';
import { CheckAbandonedError, CheckService } from './check.service';
import { QueueReachability, ReceiveBackoff } from './receive-backoff';

/** First wait after a failed receive; doubles per failure up to SQS_RECEIVE_BACKOFF_MAX_MS. */
const RECEIVE_BACKOFF_BASE_MS = 250;

/**
 * Messages given back on shutdown: their visibility goes to 0 (another worker takes them at once),
 * never to the retry backoff that a failed check earns (see `retryVisibility`). The id is taken out
 * when sqs-consumer asks for the visibility, so the set holds only messages being given back.
 */
const released = new Set<string>();

/**
 * The checks queue consumer: WORKER_CONCURRENCY independent pollers (sqs-consumer), each receiving
 * one message at a time, so a slow page holds only its own poller while the others keep receiving,
 * checking and deleting (a shared batch would wait for its slowest page before the next receive).
 * A poller that cannot reach the queue backs off (capped exponential, full jitter); the log says
 * when the queue became unreachable and when it came back, not every attempt.
 */
@Injectable()
export class ChecksConsumer
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ChecksConsumer.name);
  private readonly pollers: Consumer[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborts the checks still running when the grace period ends. */
  private readonly abandon = new AbortController();
  /** Wakes pollers sleeping in a backoff when the worker stops. */
  private readonly stopped = new AbortController();
  private stopping = false;
  private readonly reachability = new QueueReachability();

  constructor(
    private readonly checks: CheckService,
    @Inject(SQS) private readonly sqs: SQSClient,
    @Inject(AWS_CONFIG) private readonly aws: AwsConfig,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    const queueUrl = this.aws.CHECKS_QUEUE_URL;
    if (!queueUrl) throw new Error('CHECKS_QUEUE_URL is not configured');
    for (let i = 0; i < this.config.WORKER_CONCURRENCY; i++)
      this.pollers.push(this.poller(queueUrl));
    for (const p of this.pollers) p.start();
  }

  private poller(queueUrl: string): Consumer {
    const backoff = new ReceiveBackoff(
      RECEIVE_BACKOFF_BASE_MS,
      this.config.SQS_RECEIVE_BACKOFF_MAX_MS,
    );
    const config = this.config;
    /** When this poller's receive under way was sent, as `QueueReachability` counts. */
    let receiveSent = this.reachability.receiveSent();
    const consumer = Consumer.create({
      queueUrl,
      sqs: this.receivesEndOnStop(),
      batchSize: 1,
      waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
      visibilityTimeout: config.VISIBILITY_TIMEOUT_SECONDS,
      heartbeatInterval: config.HEARTBEAT_SECONDS,
      handleMessageTimeout: config.CHECK_TIMEOUT_MS + 30_000,
      terminateVisibilityTimeout: retryVisibility(config.RETRY_BASE_SECONDS),
      messageAttributeNames: ['All'],
      // local-aws-sqs answers only the older AttributeNames form; AWS answers both.
      attributeNames: ['All'],
      // Our backoff decides the pause after a failed receive, not a fixed 10 s.
      authenticationErrorTimeout: 0,
      preReceiveMessageCallback: async () => {
        const wait = backoff.delayMs();
        if (wait > 0) await sleep(wait, undefined, { signal: this.stopped.signal });
        receiveSent = this.reachability.receiveSent();
      },
      handleMessage: (message) => this.handle(message),
      // stop() then emits 'stopped' only once the receive under way has returned and its message
      // was handled (given back, see `handle`), so no receive outlives the SQS client.
      pollingCompleteWaitTimeMs:
        config.SQS_WAIT_TIME_SECONDS * 1000 + config.SHUTDOWN_GRACE_MS + 30_000,
    });
    // A failed receive has no message; a failed visibility change or delete has one.
    consumer.on('error', (err, message) => {
      if (message) {
        this.logger.warn({ err: err.message }, 'SQS call for a received message failed');
        return;
      }
      if (this.stopping) return;
      backoff.failed();
      if (this.reachability.failed(receiveSent))
        this.logger.warn({ err: err.message }, 'checks queue unreachable; polling with backoff');
    });
    const reached = () => {
      const failures = backoff.succeeded();
      if (this.reachability.succeeded())
        this.logger.log({ failedReceives: failures }, 'checks queue reachable again');
    };
    consumer.on('empty', reached);
    consumer.on('message_received', reached);
    // A check that threw: its message comes back after the retry visibility (DLQ after 5 receives).
    consumer.on('processing_error', (err, message) => {
      // sqs-consumer wraps what the handler threw (StandardError with `cause`).
      if ((err as Error & { cause?: unknown }).cause instanceof CheckAbandonedError) return; // logged where released
      this.logger.error(
        { err, messageId: message?.MessageId },
        'check failed; the message will be retried',
      );
    });
    consumer.on('timeout_error', (err, message) => {
      this.logger.error(
        { err: err.message, messageId: message?.MessageId },
        'check timed out; the message will be retried',
      );
    });
    return consumer;
  }

  private pollersStopped: Promise<unknown> = Promise.resolve();

  /**
   * The SQS client for a poller, except that stopping the worker aborts a receive under way. A
   * long poll left running would take a message after the stop, only to give it back; other
   * pollers still waiting would take it again, each receive counting towards the DLQ. Deletes,
   * heartbeats and visibility changes of messages in hand are not aborted.
   */
  private receivesEndOnStop(): SQSClient {
    const real = this.sqs;
    const stopped = this.stopped.signal;
    return new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: unknown, options?: { abortSignal?: AbortSignal }) =>
          command instanceof ReceiveMessageCommand
            ? real.send(command, {
                ...options,
                abortSignal: options?.abortSignal
                  ? AbortSignal.any([options.abortSignal, stopped])
                  : stopped,
              })
            : (real.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      },
    });
  }

  /** Stops receiving (a receive already waiting may still deliver; see `handle`). */
  onModuleDestroy(): void {
    this.stopping = true;
    this.stopped.abort();
    this.pollersStopped = Promise.all(
      this.pollers.map((p) => {
        const stopped = new Promise((resolve) => p.once('stopped', resolve));
        p.stop({ abort: false });
        return stopped;
      }),
    );
  }

  /**
   * Runs after polling stopped and before onApplicationShutdown closes the fetchers and the AWS
   * clients: checks in flight finish within SHUTDOWN_GRACE_MS; the rest are abandoned before
   * their commit point (job released, message visible again), so none is recorded as failed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.drainChecks();
    await this.pollersStopped;
  }

  private async drainChecks(): Promise<void> {
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
   * Resolving deletes the message; throwing leaves it to come back after a backoff, except an
   * abandoned check's message, which is made visible again at once. That visibility change is the
   * one sqs-consumer makes after a handler throws (`terminateVisibilityTimeout`, see
   * `retryVisibility`), and the only one: a second change of our own, as before, was redundant on
   * SQS, and local-aws-sqs counts every ChangeMessageVisibility as a receive, so the two changes
   * plus the receive reached the test queue's maxReceiveCount (3) and the message went to the DLQ.
   */
  async handle(message: Message): Promise<void> {
    const run = this.stopping
      ? Promise.reject(new CheckAbandonedError()) // delivered by a receive that outlived stop()
      : this.checks.handle(message, this.abandon.signal);
    this.inFlight.add(run);
    try {
      await run;
    } catch (err) {
      if (err instanceof CheckAbandonedError && message.MessageId) released.add(message.MessageId);
      throw err;
    } finally {
      this.inFlight.delete(run);
    }
  }
}

/**
 * Visibility after a failed attempt: `baseSeconds`, doubling with each receive, at most 15
 * minutes. The fifth receive sends the message to the DLQ (the queue's redrive policy). A message
 * given back on shutdown is visible again at once.
 */
export function retryVisibility(baseSeconds: number): (messages: Message[]) => number {
  return (messages) => {
    const given = messages.filter((m) => m.MessageId && released.delete(m.MessageId));
    if (given.length === messages.length) return 0;
    const receives = Math.max(
      1,
      ...messages.map((m) => Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1),
    );
    return Math.min(900, baseSeconds * 2 ** (receives - 1));
  };
}
