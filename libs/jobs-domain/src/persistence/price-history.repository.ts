import { Injectable } from '@nestjs/common';
import { Page, PricePoint } from '../domain/job';
import { JobsTable } from './jobs-table';
import { HISTORY_SK_PREFIX, historySk, historySkPrefix, userPk } from './keys';

/**
 * The price points of a user's jobs, one item per check that found a price, expiring after the
 * retention period (DynamoDB TTL on expiresAt).
 */
@Injectable()
export class PriceHistoryRepository extends JobsTable {
  /**
   * Writes a price point; idempotent (the id is derived from the check, so a retry finds it there).
   * dynalite has no TransactWriteItems, so a check's outcome is written as idempotent steps in a
   * crash-safe order instead of one transaction: price point, then the job (the commit point,
   * conditional on the claimed version), then the outbox entry, which can always be rebuilt from
   * the committed job. See docs/DECISIONS.md.
   */
  async add(
    userId: string,
    point: PricePoint,
    ttlSeconds: number,
    now: Date = new Date(),
  ): Promise<void> {
    await this.putIfAbsent({
      pk: userPk(userId),
      sk: historySk(point.jobId, point.checkedAt, point.pointId),
      entity: 'PRICE',
      ...point,
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    });
  }

  /** A page of one job's price points, newest first. */
  list(
    userId: string,
    jobId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<PricePoint>> {
    return this.collectionPage(userId, historySkPrefix(jobId), opts, (item) => ({
      pointId: item.pointId as string,
      jobId: item.jobId as string,
      price: item.price as string,
      currency: item.currency as string,
      checkedAt: item.checkedAt as string,
      source: item.source as string,
      ...(item.sources ? { sources: item.sources as PricePoint['sources'] } : {}),
    }));
  }

  /** Deletes one job's price points. */
  async deleteForJob(userId: string, jobId: string): Promise<void> {
    await this.deleteCollection(userId, historySkPrefix(jobId));
  }

  /** Deletes the price points of every job of the user. */
  async deleteAll(userId: string): Promise<void> {
    await this.deleteCollection(userId, HISTORY_SK_PREFIX);
  }
}
