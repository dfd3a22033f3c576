import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AWS_CONFIG, AwsConfig, SNS } from '@app/aws-clients';
import {
  deliveryFailureReason,
  Job,
  JOBS_CONFIG,
  JobsConfig,
  nextAlertAttemptAt,
  Notification,
  notificationFromJob,
  notificationSk,
  OutboxRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
import { metricsRegistry } from '@app/platform';
import { WebhookSender } from './webhook-sender';

export const WEBHOOK_SENDER = Symbol('WEBHOOK_SENDER');

const deliveries = new Counter({
  name: 'worker_alert_deliveries_total',
  help: 'Alert delivery attempts, by result (delivered, failed)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export function alertText(n: Notification): string {
  const name = n.title ? `"${n.title}"` : 'A product you track';
  return `${name} is now ${n.price} ${n.currency} (your target: ${n.targetPrice} ${n.currency}). ${n.url}`;
}

/**
 * Delivers an alert stored in the outbox, to every channel that has not taken it yet. A channel
 * that fails does not fail the check: the reason is stored on the entry, which stays in the due
 * index, and the rescheduler's redrive tries it again later (alert-redrive.ts: capped exponential
 * backoff, given up a day after the alert). `deliveredAt` stops a finished delivery from being
 * repeated, and the webhook carries the alert id as Idempotency-Key for the rare double attempt.
 * Only infrastructure failures (reading or writing the outbox) throw.
 */
@Injectable()
export class Notifier {
  private readonly logger = new Logger(Notifier.name);

  constructor(
    @Inject(SNS) private readonly sns: SNSClient,
    @Inject(AWS_CONFIG) private readonly aws: AwsConfig,
    private readonly outbox: OutboxRepository,
    private readonly profiles: ProfilesRepository,
    @Inject(WEBHOOK_SENDER) private readonly webhook: WebhookSender,
    @Inject(JOBS_CONFIG) private readonly scheduling: JobsConfig,
  ) {}

  /**
   * Makes sure the notified job's outbox entry exists (rebuilding it from the job), then takes a
   * delivery attempt unless it was delivered or given up.
   */
  async deliver(job: Job): Promise<void> {
    const userId = job.userId;
    const notificationSk = job.notificationSk;
    if (!notificationSk) return;
    let n = await this.outbox.get(userId, notificationSk);
    if (!n) {
      n = notificationFromJob(job);
      if (!n) return;
      // The first attempt's lease: if this worker dies before the entry is marked, the redrive
      // finds it due then.
      const retryAt = nextAlertAttemptAt(
        Date.parse(n.createdAt),
        Date.now(),
        this.scheduling.alertRedrive,
      );
      await this.outbox.put(userId, notificationSk, n, retryAt);
    }
    await this.attempt(userId, notificationSk, n);
  }

  /**
   * A redrive's attempt at a stored alert (a `deliver` message). False when there is nothing to
   * do: no such entry (a forged or stale message), delivered, or given up.
   */
  async redeliver(userId: string, createdAt: string, notificationId: string): Promise<boolean> {
    const sk = notificationSk(createdAt, notificationId);
    const n = await this.outbox.get(userId, sk);
    if (!n || n.deliveredAt || n.gaveUpAt) return false;
    await this.attempt(userId, sk, n);
    return true;
  }

  private async attempt(userId: string, notificationSk: string, n: Notification): Promise<void> {
    if (n.deliveredAt || n.gaveUpAt) return;
    const done = new Set(n.channels ?? []);
    const channels = ['outbox'];
    const text = alertText(n);
    const step = async (channel: string, send: () => Promise<unknown>) => {
      if (!done.has(channel)) await send();
      channels.push(channel);
    };
    let current = 'sns';
    try {
      if (this.aws.ALERTS_TOPIC_ARN) {
        const topic = this.aws.ALERTS_TOPIC_ARN;
        await step('sns', () =>
          this.sns.send(
            new PublishCommand({
              TopicArn: topic,
              Subject: `Price alert: ${(n.title ?? 'your product').replace(/[^\x20-\x7E]/g, '').slice(0, 80)}`,
              Message: text,
              MessageAttributes: { user_id: { DataType: 'String', StringValue: userId } },
            }),
          ),
        );
      }
      current = 'webhook';
      const profile = await this.profiles.get(userId);
      const webhookUrl = profile.webhookUrl;
      if (webhookUrl) {
        await step('webhook', () =>
          this.webhook.post(
            webhookUrl,
            {
              content: text,
              text,
              pricewatch: {
                notificationId: n.notificationId,
                jobId: n.jobId,
                url: n.url,
                title: n.title ?? null,
                price: n.price,
                targetPrice: n.targetPrice,
                currency: n.currency,
                createdAt: n.createdAt,
              },
            },
            n.notificationId,
          ),
        );
      }
    } catch (err) {
      deliveries.inc({ result: 'failed' });
      const reason = deliveryFailureReason(current, err);
      await this.outbox.recordDeliveryFailure(userId, notificationSk, reason, channels);
      this.logger.warn(
        { userId, jobId: n.jobId, notificationId: n.notificationId, reason },
        'price alert delivery failed; the redrive tries it again',
      );
      return;
    }
    await this.outbox.markDelivered(userId, notificationSk, channels);
    deliveries.inc({ result: 'delivered' });
    this.logger.log(
      { userId, jobId: n.jobId, notificationId: n.notificationId, channels },
      'price alert delivered',
    );
  }
}
