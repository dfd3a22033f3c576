import type { Notification, Page } from '@app/jobs-domain';

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
  /** Channels it was sent to. @example ["sns", "webhook"] */
  channels!: string[];

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
    };
  }
}

export class NotificationListDto {
  notifications!: NotificationDto[];
  nextCursor!: string | null;

  static from(page: Page<Notification>): NotificationListDto {
    return { notifications: page.items.map(NotificationDto.from), nextCursor: page.nextCursor };
  }
}
