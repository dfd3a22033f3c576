import { Injectable } from '@nestjs/common';
import { Notification, OutboxRepository, Page } from '@app/jobs-domain';

/** The caller's price alerts, read from the outbox the worker writes. */
@Injectable()
export class NotificationsService {
  constructor(private readonly outbox: OutboxRepository) {}

  /** Newest first. */
  list(userId: string, limit: number, cursor?: string): Promise<Page<Notification>> {
    return this.outbox.list(userId, { limit, cursor });
  }
}
