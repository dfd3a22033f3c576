import { Notification, OutboxRepository, Page } from '@app/jobs-domain';
import { NotificationListDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

const alert: Notification = {
  notificationId: 'c1',
  jobId: 'j1',
  url: 'https://shop.example.com/p',
  title: 'Kettle',
  price: '95.00',
  targetPrice: '100.00',
  currency: 'EUR',
  createdAt: '2026-11-23T12:00:00.000Z',
  channels: ['outbox', 'sns'],
};

describe('NotificationsService', () => {
  it("reads the caller's own outbox page, with the caller's cursor and limit", async () => {
    const page: Page<Notification> = { items: [alert], nextCursor: 'next' };
    const outbox = { list: jest.fn(async () => page) };
    const service = new NotificationsService(outbox as unknown as OutboxRepository);
    await expect(service.list('u1', 20, 'cur')).resolves.toBe(page);
    expect(outbox.list).toHaveBeenCalledWith('u1', { limit: 20, cursor: 'cur' });
  });
});

describe('NotificationListDto.from', () => {
  it('shows a given-up alert as failed, with the reason of its last attempt', () => {
    const dto = NotificationListDto.from({
      items: [
        {
          ...alert,
          deliveryAttempts: 29,
          lastDeliveryError: 'webhook answered 500',
          nextAttemptAt: '2026-11-24T12:00:00.000Z',
          gaveUpAt: '2026-11-24T12:00:01.000Z',
        },
      ],
      nextCursor: null,
    });
    expect(dto.notifications[0]).toMatchObject({
      deliveryStatus: 'failed',
      deliveryAttempts: 29,
      lastDeliveryError: 'webhook answered 500',
      gaveUpAt: '2026-11-24T12:00:01.000Z',
    });
    expect(dto.notifications[0].nextAttemptAt).toBeUndefined();
  });

  it('maps every alert to the response shape, an undelivered one without deliveredAt', () => {
    const dto = NotificationListDto.from({
      items: [alert, { ...alert, notificationId: 'c2', deliveredAt: '2026-11-23T12:00:01.000Z' }],
      nextCursor: null,
    });
    expect(dto).toEqual({
      notifications: [
        {
          id: 'c1',
          jobId: 'j1',
          url: 'https://shop.example.com/p',
          title: 'Kettle',
          price: '95.00',
          targetPrice: '100.00',
          currency: 'EUR',
          createdAt: '2026-11-23T12:00:00.000Z',
          deliveredAt: undefined,
          channels: ['outbox', 'sns'],
          deliveryStatus: 'pending',
          deliveryAttempts: undefined,
          lastDeliveryError: undefined,
          nextAttemptAt: undefined,
          gaveUpAt: undefined,
        },
        expect.objectContaining({
          id: 'c2',
          deliveredAt: '2026-11-23T12:00:01.000Z',
          deliveryStatus: 'delivered',
        }),
      ],
      nextCursor: null,
    });
  });
});
