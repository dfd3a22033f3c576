import type { Notification, Page } from '@app/jobs-domain';
import { CursorPageDto } from '../jobs/jobs.dto';

export class NotificationDto {
  id!: string;
  jobId!: string;
  url!: string;
  title?: string;
  /** The price that triggered the alert. @example "189.00" */
  price!: string;
  /** @example "199.99" */
  targetPrice!: string;
  /** @example "EUR" */
  currency!: string;
  createdAt!: string;
  /** When every configured channel accepted it; absent while delivery is pending. */
  deliveredAt?: string;
  /** Channels it was sent to (so far, while it is not delivered). @example ["sns", "webhook"] */
  channels!: string[];
  /**
   * `delivered`; `pending` while delivery is under way or failing and retried (with backoff, for
   * a day after the alert); `failed` once given up.
   */
  deliveryStatus!: 'delivered' | 'pending' | 'failed';
  /** Delivery attempts so far. */
  deliveryAttempts?: number;
  /** Why the last attempt failed, while it is not delivered. @example "webhook answered 500" */
  lastDeliveryError?: string;
  /** When the next attempt is due, while delivery is pending. */
  nextAttemptAt?: string;
  /** When delivery was given up. */
  gaveUpAt?: string;

  static from(n: Notification): NotificationDto {
    return {
      id: n.notificationId,
      jobId: n.jobId,
      url: n.url,
      title: n.title,
      price: n.price,
      targetPrice: n.targetPrice,
      currency: n.currency,
      createdAt: n.createdAt,
      deliveredAt: n.deliveredAt,
      channels: n.channels ?? [],
      deliveryStatus: n.deliveredAt ? 'delivered' : n.gaveUpAt ? 'failed' : 'pending',
      deliveryAttempts: n.deliveryAttempts,
      lastDeliveryError: n.deliveredAt ? undefined : n.lastDeliveryError,
      nextAttemptAt: n.deliveredAt || n.gaveUpAt ? undefined : n.nextAttemptAt,
      gaveUpAt: n.deliveredAt ? undefined : n.gaveUpAt,
    };
  }
}

export class NotificationListDto extends CursorPageDto {
  notifications!: NotificationDto[];

  static from(page: Page<Notification>): NotificationListDto {
    return { notifications: page.items.map(NotificationDto.from), nextCursor: page.nextCursor };
  }
}
