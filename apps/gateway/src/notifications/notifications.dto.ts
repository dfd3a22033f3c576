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
}

export class NotificationListDto {
  notifications!: NotificationDto[];
  nextCursor!: string | null;
}
