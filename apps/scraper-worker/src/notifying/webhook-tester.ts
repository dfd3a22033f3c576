import { Inject, Injectable, Logger } from '@nestjs/common';
import { ProfilesRepository, WebhookTestMessage, WebhookTestResult } from '@app/jobs-domain';
import { WEBHOOK_SENDER } from './notifier';
import { WebhookDeliveryError, WebhookSender } from './webhook-sender';

export type WebhookTestHandled = 'sent' | 'failed' | 'dropped';

/** What a test POSTs: clearly a test, in the same shape as an alert, so a receiver can tell them apart. */
export function webhookTestPayload(testId: string, requestedAt: string) {
  const text = 'Test from pricewatch: your webhook works. No price changed.';
  return {
    content: text,
    text,
    pricewatch: { test: true, testId, requestedAt },
  };
}

/**
 * Runs a webhook test the gateway queued: POSTs the test payload to the user's saved webhook
 * through the same sender as alerts (egress guard at connect time, deadline, no redirects) and
 * records on the profile whether it was sent, with the receiver's status or a failure code, never
 * its body. Only the test the profile waits for is sent: a test replaced by a newer one, cleared
 * by a new URL, or already recorded (a redelivery) is dropped. A failure to record throws, so the
 * message comes back; the receiver may then see the test twice, with the same Idempotency-Key.
 */
@Injectable()
export class WebhookTester {
  private readonly logger = new Logger(WebhookTester.name);

  constructor(
    private readonly profiles: ProfilesRepository,
    @Inject(WEBHOOK_SENDER) private readonly webhook: WebhookSender,
  ) {}

  async run(message: WebhookTestMessage): Promise<WebhookTestHandled> {
    const { userId, testId } = message;
    const profile = await this.profiles.get(userId);
    const test = profile.webhookTest;
    if (!test || test.testId !== testId || test.state !== 'pending') {
      this.logger.log({ userId, testId }, 'webhook test no longer awaited; dropped');
      return 'dropped';
    }
    let result: WebhookTestResult;
    if (!profile.webhookUrl) {
      result = { state: 'failed', error: 'no_webhook' };
    } else {
      try {
        const status = await this.webhook.post(
          profile.webhookUrl,
          webhookTestPayload(testId, test.requestedAt),
          `test-${testId}`,
        );
        result = { state: 'sent', httpStatus: status };
      } catch (err) {
        if (!(err instanceof WebhookDeliveryError)) throw err;
        result =
          err.status === undefined
            ? { state: 'failed', error: err.failure }
            : { state: 'failed', error: err.failure, httpStatus: err.status };
      }
    }
    await this.profiles.finishWebhookTest(userId, testId, result);
    this.logger.log(
      {
        userId,
        testId,
        state: result.state,
        ...('error' in result ? { error: result.error } : {}),
      },
      'webhook test finished',
    );
    return result.state;
  }
}
