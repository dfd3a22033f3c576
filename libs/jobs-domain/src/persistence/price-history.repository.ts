import { Injectable } from '@nestjs/common';
import { CHECK_OUTCOMES, CheckOutcome, CheckRecord, Page, PricePoint } from '../domain/job';
import { JobsTable, stripUndefined } from './jobs-table';
import { HISTORY_SK_PREFIX, historySk, historySkPrefix, userPk } from './keys';

function outcomeOf(item: Record<string, unknown>): CheckOutcome {
  // Items written before every check was recorded are price points: successful checks.
  const outcome = item.outcome;
  return typeof outcome === 'string' && (CHECK_OUTCOMES as readonly string[]).includes(outcome)
    ? (outcome as CheckOutcome)
    : 'ok';
}

function toCheckRecord(item: Record<string, unknown>): CheckRecord {
  return stripUndefined({
    checkId: item.pointId as string,
    jobId: item.jobId as string,
    checkedAt: item.checkedAt as string,
    outcome: outcomeOf(item),
    price: item.price as string | undefined,
    currency: item.currency as string | undefined,
    source: item.source as string | undefined,
    sources: item.sources as CheckRecord['sources'],
    availability: item.availability as string | undefined,
    reason: item.reason as string | undefined,
    durationMs: typeof item.durationMs === 'number' ? item.durationMs : undefined,
  }) as CheckRecord;
}

/**
 * The record of every check of a user's jobs (one item per check, priced or not), expiring after
 * the retention period (DynamoDB TTL on expiresAt). The price history is the priced records among
 * them: `list` reads those, `listChecks` reads them all.
 */
@Injectable()
export class PriceHistoryRepository extends JobsTable {
  /**
   * Writes a check's record; idempotent (the id is derived from the check, so a retry finds it
   * there and the first write stands). dynalite has no TransactWriteItems, so a check's outcome is
   * written as idempotent steps in a crash-safe order instead of one transaction: check record,
   * then the job (the commit point, conditional on the claimed version), then the outbox entry,
   * which can always be rebuilt from the committed job. See docs/DECISIONS.md.
   */
  async record(
    userId: string,
    check: CheckRecord,
    ttlSeconds: number,
    now: Date = new Date(),
  ): Promise<void> {
    const { checkId, ...fields } = check;
    // A price is only ever kept on a successful check, so the chart can trust every priced item.
    const priced = check.outcome === 'ok' && check.price !== undefined;
    await this.putIfAbsent({
      pk: userPk(userId),
      sk: historySk(check.jobId, check.checkedAt, checkId),
      entity: 'PRICE',
      pointId: checkId,
      ...stripUndefined({ ...fields, price: priced ? check.price : undefined }),
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    });
  }

  /** A page of one job's price points (its successful checks), newest first. */
  async list(
    userId: string,
    jobId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<PricePoint>> {
    const page = await this.collectionPage(userId, historySkPrefix(jobId), opts, toCheckRecord, {
      FilterExpression:
        'attribute_exists(price) AND (attribute_not_exists(outcome) OR outcome = :ok)',
      ExpressionAttributeValues: { ':ok': 'ok' },
    });
    return {
      items: page.items.map((r) => ({
        pointId: r.checkId,
        jobId: r.jobId,
        price: r.price as string,
        currency: r.currency as string,
        checkedAt: r.checkedAt,
        source: r.source ?? 'unknown',
        ...(r.sources ? { sources: r.sources } : {}),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** A page of every check of one job, whatever its outcome, newest first. */
  listChecks(
    userId: string,
    jobId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<CheckRecord>> {
    return this.collectionPage(userId, historySkPrefix(jobId), opts, toCheckRecord);
  }

  /** Deletes one job's check records. */
  async deleteForJob(userId: string, jobId: string): Promise<void> {
    await this.deleteCollection(userId, historySkPrefix(jobId));
  }

  /** Deletes the check records of every job of the user. */
  async deleteAll(userId: string): Promise<void> {
    await this.deleteCollection(userId, HISTORY_SK_PREFIX);
  }
}
