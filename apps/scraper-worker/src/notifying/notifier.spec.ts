import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@nestjs/common';
import { AwsConfig } from '@app/aws-clients';
import { Job, Notification, OutboxRepository, ProfilesRepository } from '@app/jobs-domain';
import { Notifier } from './notifier';
import { WebhookSender } from './webhook-sender';

const job: Job = {
  jobId: 'j1',
  userId: 'u1',
  url: 'https://shop.example.com/p',
  targetPrice: '100.00',
  currency: 'EUR',
  checkIntervalMinutes: 60,
  status: 'notified',
  version: 5,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T12:00:00.000Z',
  consecutiveFailures: 0,
  lastPrice: '95.00',
  title: 'Kettle “Deluxe”',
  notificationSk: 'NOTIF#2026-11-23T12:00:00.000Z#c1',
};

function setup(opts: { topic?: string; stored?: Notification | null; webhookUrl?: string }) {
  const store = new Map<string, Notification>();
  if (opts.stored) store.set(job.notificationSk!, opts.stored);
  const outbox = {
    get: jest.fn(async (_u: string, sk: string) => store.get(sk) ?? null),
    put: jest.fn(async (_u: string, sk: string, n: Notification) => void store.set(sk, n)),
    markDelivered: jest.fn(async (_u: string, sk: string, channels: string[]) => {
      store.set(sk, { ...store.get(sk)!, deliveredAt: 'now', channels });
    }),
  };
  const profiles = { get: jest.fn(async () => ({ userId: 'u1', webhookUrl: opts.webhookUrl })) };
  const sns = { send: jest.fn(async () => ({ MessageId: 'm' })) };
  const webhook = { post: jest.fn(async () => undefined) };
  const notifier = new Notifier(
    sns as unknown as SNSClient,
    { ALERTS_TOPIC_ARN: opts.topic } as AwsConfig,
    outbox as unknown as OutboxRepository,
    profiles as unknown as ProfilesRepository,
    webhook as unknown as WebhookSender,
  );
  return { notifier, outbox, sns, webhook, store };
}

describe('Notifier', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));

  it('publishes to SNS with the user_id attribute the subscription filters on', async () => {
    const { notifier, sns } = setup({ topic: 'arn:aws:sns:eu-west-1:123456789012:alerts' });
    await notifier.deliver(job);
    const command = (sns.send.mock.calls[0] as unknown as [PublishCommand])[0];
    expect(command).toBeInstanceOf(PublishCommand);
    expect(command.input.MessageAttributes).toEqual({
      user_id: { DataType: 'String', StringValue: 'u1' },
    });
    expect(command.input.Message).toMatch(
      /95\.00 EUR.*100\.00 EUR.*https:\/\/shop\.example\.com\/p/,
    );
    expect(command.input.Subject).toMatch(/^Price alert: Kettle Deluxe$/); // printable ASCII only
  });

  it('rebuilds a missing outbox entry from the committed job, then delivers it once', async () => {
    const { notifier, outbox, webhook, store } = setup({
      webhookUrl: 'https://hooks.example.com/x',
    });
    await notifier.deliver(job);
    expect(outbox.put).toHaveBeenCalledTimes(1);
    expect(store.get(job.notificationSk!)).toMatchObject({
      notificationId: 'c1',
      price: '95.00',
      channels: ['outbox', 'webhook'],
    });
    await notifier.deliver(job);
    expect(webhook.post).toHaveBeenCalledTimes(1);
  });

  it('leaves the entry undelivered when a channel fails, so the redelivery retries it', async () => {
    const { notifier, outbox, webhook } = setup({ webhookUrl: 'https://hooks.example.com/x' });
    webhook.post.mockRejectedValueOnce(new Error('webhook answered 500'));
    await expect(notifier.deliver(job)).rejects.toThrow('500');
    expect(outbox.markDelivered).not.toHaveBeenCalled();
    await notifier.deliver(job);
    expect(outbox.markDelivered).toHaveBeenCalledTimes(1);
  });
});
