import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@nestjs/common';
import { AwsConfig } from '@app/aws-clients';
import {
  Job,
  JobsConfig,
  Notification,
  OutboxRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
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
    recordDeliveryFailure: jest.fn(
      async (_u: string, sk: string, lastDeliveryError: string, channels: string[]) => {
        store.set(sk, { ...store.get(sk)!, lastDeliveryError, channels });
      },
    ),
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
    Object.assign(new JobsConfig(), { ALERT_RETRY_BASE_SECONDS: 60 }),
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

  it('stores the first attempt with its lease, so a crash before marking leaves it due', async () => {
    const { notifier, outbox } = setup({});
    const before = Date.now();
    await notifier.deliver({
      ...job,
      notificationSk: `NOTIF#${new Date(before).toISOString()}#c2`,
    });
    const retryAt = (outbox.put.mock.calls[0] as unknown[])[3] as number;
    expect(retryAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('records a failed channel without throwing, and the next attempt skips the channels done', async () => {
    const { notifier, outbox, webhook, sns, store } = setup({
      topic: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      webhookUrl: 'https://hooks.example.com/x',
    });
    webhook.post.mockRejectedValueOnce(
      Object.assign(new Error('webhook answered 500'), { name: 'WebhookDeliveryError' }),
    );
    await notifier.deliver(job); // the check is not failed by its alert's delivery
    expect(outbox.markDelivered).not.toHaveBeenCalled();
    expect(store.get(job.notificationSk!)).toMatchObject({
      lastDeliveryError: 'webhook answered 500',
      channels: ['outbox', 'sns'],
    });
    expect(await notifier.redeliver('u1', '2026-11-23T12:00:00.000Z', 'c1')).toBe(true);
    expect(sns.send).toHaveBeenCalledTimes(1);
    expect(webhook.post).toHaveBeenCalledTimes(2);
    expect(store.get(job.notificationSk!)).toMatchObject({
      deliveredAt: 'now',
      channels: ['outbox', 'sns', 'webhook'],
    });
  });

  it('leases an alert raised longer ago than the give-up period only until that deadline', async () => {
    const { notifier, outbox } = setup({});
    await notifier.deliver(job); // raised a week ago
    expect((outbox.put.mock.calls[0] as unknown[])[3]).toBe(Date.parse('2026-11-24T12:00:00.000Z'));
  });

  it('does nothing for a redrive of a missing, delivered or given-up entry', async () => {
    const { notifier, webhook, store } = setup({ webhookUrl: 'https://hooks.example.com/x' });
    expect(await notifier.redeliver('u1', '2026-11-23T12:00:00.000Z', 'c1')).toBe(false);
    const entry = {
      notificationId: 'c1',
      createdAt: '2026-11-23T12:00:00.000Z',
      jobId: 'j1',
      url: job.url,
      price: '95.00',
      targetPrice: '100.00',
      currency: 'EUR',
      channels: [],
    };
    store.set(job.notificationSk!, { ...entry, gaveUpAt: '2026-11-24T12:00:00.000Z' });
    expect(await notifier.redeliver('u1', entry.createdAt, 'c1')).toBe(false);
    store.set(job.notificationSk!, { ...entry, deliveredAt: '2026-11-23T12:00:01.000Z' });
    expect(await notifier.redeliver('u1', entry.createdAt, 'c1')).toBe(false);
    expect(webhook.post).not.toHaveBeenCalled();
  });
});
