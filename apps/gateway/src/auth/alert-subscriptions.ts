import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { Inject, Injectable } from '@nestjs/common';
import { AWS_CONFIG, AwsConfig, SNS } from '@app/aws-clients';

/**
 * E-mail subscriptions to the price-alert topic. Each subscription filters on the message
 * attribute user_id, so a user receives only their own alerts from the one shared topic.
 */
@Injectable()
export class AlertSubscriptions {
  private readonly topicArn: string | undefined;

  constructor(
    @Inject(SNS) private readonly sns: SNSClient,
    @Inject(AWS_CONFIG) config: AwsConfig,
  ) {
    this.topicArn = config.ALERTS_TOPIC_ARN;
  }

  get enabled(): boolean {
    return this.topicArn !== undefined;
  }

  async subscribe(email: string, userId: string): Promise<string> {
    const out = await this.sns.send(
      new SubscribeCommand({
        TopicArn: this.topicArn,
        Protocol: 'email',
        Endpoint: email,
        ReturnSubscriptionArn: true,
        Attributes: {
          FilterPolicy: JSON.stringify({ user_id: [userId] }),
          FilterPolicyScope: 'MessageAttributes',
        },
      }),
    );
    if (!out.SubscriptionArn) throw new Error('SNS returned no subscription ARN');
    return out.SubscriptionArn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
  }
}
