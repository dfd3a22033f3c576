import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AWS_CONFIG, AwsConfig, SNS } from '@app/aws-clients';
import {
  Job,
  Notification,
  notificationFromJob,
  OutboxRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
import { WebhookSender } from './webhook-sender';

export const WEBHOOK_SENDER = Symbol('WEBHOOK_SENDER');

export function alertText(n: Notification): string {
  const name = n.title ? `"${n.title}"` : 'A product you track';
  return `${name} is now ${n.price} ${n.currency} (your target: ${n.targetPrice} ${n.currency}). ${n.url}`;
}

/**
 * Delivers an alert already stored in the outbox. Delivery is at-least-once per channel: a failure
 * throws, the check's message comes back, and the redelivery resumes here; `deliveredAt` on the
 * outbox entry stops a finished delivery from being repeated.
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
  ) {}

  /** Makes sure the notified job's outbox entry exists (rebuilding it from the job), then delivers it once. */
  async deliver(job: Job): Promise<void> {
    const userId = job.userId;
    const notificationSk = job.notificationSk;
    if (!notificationSk) return;
    let n = await this.outbox.get(userId, notificationSk);
    if (!n) {
      n = notificationFromJob(job);
      if (!n) return;
      await this.outbox.put(userId, notificationSk, n);
    }
    if (n.deliveredAt) return;
    const channels = ['outbox'];
    const text = alertText(n);
    if (this.aws.ALERTS_TOPIC_ARN) {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.aws.ALERTS_TOPIC_ARN,
          Subject: `Price alert: ${(n.title ?? 'your product').replace(/[^\x20-\x7E]/g, '').slice(0, 80)}`,
          Message: text,
          MessageAttributes: { user_id: { DataType: 'String', StringValue: userId } },
        }),
      );
      channels.push('sns');
    }
    const profile = await this.profiles.get(userId);
    if (profile.webhookUrl) {
      await this.webhook.post(
        profile.webhookUrl,
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
      );
      channels.push('webhook');
    }
    this.logger.log(
      { userId, jobId: n.jobId, notificationId: n.notificationId, channels },
      'price alert delivered',
    );
    await this.outbox.markDelivered(userId, notificationSk, channels);
  }
}
