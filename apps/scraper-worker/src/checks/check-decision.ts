import {
  CheckOutcome,
  CheckRecord,
  compareDecimal,
  FieldSources,
  PriceCandidate,
  Job,
  JobChange,
  notificationSk,
} from '@app/jobs-domain';

/** What one check saw on the page (or why it saw nothing). */
export interface Observation {
  outcome: CheckOutcome;
  price?: string | null;
  currency?: string | null;
  title?: string | null;
  source?: string | null;
  /** Where each field was read; kept on the price point. */
  sources?: FieldSources;
  /** The prices the page stated, when they disagree (outcome price_uncertain). */
  candidates?: PriceCandidate[];
  /** Human-readable detail for a failed outcome; shown in the API, so never internals. */
  reason?: string;
  /** schema.org availability as the page stated it, when it did. */
  availability?: string | null;
  /** From a 429/503 Retry-After header. */
  retryAfterSeconds?: number | null;
}

export interface DecisionPolicy {
  maxConsecutiveFailures: number;
  /** Fraction of the interval added at random, so jobs created together spread out. */
  jitterRatio: number;
  random: () => number;
}

export interface Decision {
  change: JobChange;
  /** What to record for this check, whatever its outcome (priced only when ok). */
  record: CheckRecord;
}

const MINUTE = 60_000;
const MAX_BACKOFF = 24 * 60 * MINUTE;

const REASONS: Record<Exclude<CheckOutcome, 'ok'>, string> = {
  price_not_found: 'No price could be found on the page',
  blocked: 'The shop blocked the request (captcha or rate limit)',
  out_of_stock: 'The product is out of stock',
  fetch_error: 'The page could not be fetched',
  currency_mismatch: 'The page shows a price in another currency',
  price_uncertain: 'The page states two different prices; no alert until they agree',
};

/**
 * Turns an observation into the job's next state. Only an `ok` price at or below the target
 * notifies; every other outcome keeps a reason and never alerts. Out of stock is not the job's
 * fault, so it does not count towards failing the job; the other failures do, with exponential
 * backoff, and after `maxConsecutiveFailures` the job fails with its reason kept.
 */
export function decide(
  job: Job,
  seen: Observation,
  checkId: string,
  now: Date,
  policy: DecisionPolicy,
): Decision {
  const interval = Math.round(job.checkIntervalMinutes * MINUTE);
  const jitter = Math.floor(interval * policy.jitterRatio * policy.random());
  // Stamped with the claim time: a check resumed after a crash computes the same price point.
  const checkedAt = job.claimedAt ?? now.toISOString();
  const common = {
    lastCheckedAt: checkedAt,
    title: seen.title ?? job.title,
  };
  const remove: JobChange['remove'] = ['claimMessageId', 'claimedAt', 'priceCandidates'];

  let observed = seen;
  if (seen.outcome === 'ok' && seen.currency && seen.currency !== job.currency) {
    observed = {
      ...seen,
      outcome: 'currency_mismatch',
      reason: `The page shows ${seen.currency}, the job tracks ${job.currency}`,
    };
  }
  if (observed.outcome === 'ok' && !observed.price) {
    observed = { ...observed, outcome: 'price_not_found' };
  }

  const recordBase = {
    checkId,
    jobId: job.jobId,
    checkedAt,
    ...(observed.sources ? { sources: observed.sources } : {}),
    ...(observed.availability ? { availability: observed.availability } : {}),
  };

  if (observed.outcome === 'ok') {
    const price = observed.price!;
    const record: CheckRecord = {
      ...recordBase,
      outcome: 'ok',
      price,
      currency: job.currency,
      source: observed.source ?? 'unknown',
    };
    const base = {
      ...common,
      lastPrice: price,
      lastCurrency: job.currency,
      lastOutcome: 'ok' as const,
      lastSource: observed.source ?? undefined,
      consecutiveFailures: 0,
    };
    if (compareDecimal(price, job.targetPrice) <= 0) {
      return {
        change: {
          set: {
            ...base,
            status: 'notified',
            notifiedAt: checkedAt,
            notificationSk: notificationSk(checkedAt, checkId),
          },
          remove: [...remove, 'failureReason'],
        },
        record,
      };
    }
    return {
      change: {
        set: { ...base, status: 'active', nextCheckAt: now.getTime() + interval + jitter },
        remove: [...remove, 'failureReason'],
      },
      record,
    };
  }

  const outcome = observed.outcome;
  const reason = observed.reason ?? REASONS[outcome];
  const failed: CheckRecord = { ...recordBase, outcome, reason };
  // The page contradicts itself: keep both prices for the user, alert on neither, and check again
  // at the usual interval (the page was read; it is not the job's failure).
  if (outcome === 'price_uncertain') {
    const both = (observed.candidates ?? [])
      .map((c) => `${c.price}${c.currency ? ` ${c.currency}` : ''} (${c.source})`)
      .join(' vs ');
    return {
      change: {
        set: {
          ...common,
          status: 'active',
          lastOutcome: outcome,
          lastSource: observed.source ?? undefined,
          failureReason: both ? `${reason}: ${both}` : reason,
          priceCandidates: observed.candidates,
          nextCheckAt: now.getTime() + interval + jitter,
        },
        remove: remove.filter((k) => k !== 'priceCandidates'),
      },
      record: { ...failed, reason: both ? `${reason}: ${both}` : reason },
    };
  }
  if (outcome === 'out_of_stock') {
    return {
      change: {
        set: {
          ...common,
          status: 'active',
          lastOutcome: outcome,
          lastSource: observed.source ?? undefined,
          failureReason: reason,
          nextCheckAt: now.getTime() + interval + jitter,
        },
        remove,
      },
      record: { ...failed, availability: failed.availability ?? 'OutOfStock' },
    };
  }
  const failures = job.consecutiveFailures + 1;
  if (failures >= policy.maxConsecutiveFailures) {
    return {
      change: {
        set: {
          ...common,
          status: 'failed',
          lastOutcome: outcome,
          consecutiveFailures: failures,
          failureReason: `${reason} (${failures} checks in a row)`,
        },
        remove,
      },
      record: failed,
    };
  }
  const backoff = Math.min(
    MAX_BACKOFF,
    Math.max(interval, (observed.retryAfterSeconds ?? 0) * 1000) * 2 ** (failures - 1),
  );
  return {
    change: {
      set: {
        ...common,
        status: 'active',
        lastOutcome: outcome,
        consecutiveFailures: failures,
        failureReason: reason,
        nextCheckAt: now.getTime() + backoff + jitter,
      },
      remove,
    },
    record: failed,
  };
}
