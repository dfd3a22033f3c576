/** The lifecycle of a tracked product. See ../../../docs/ARCHITECTURE.md for the diagram. */
export const JOB_STATUSES = [
  'pending',
  'queued',
  'processing',
  'active',
  'notified',
  'failed',
  'paused',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses whose jobs sit in the sparse due index (they can fall due and be enqueued). */
export const SCHEDULABLE_STATUSES: readonly JobStatus[] = [
  'pending',
  'queued',
  'processing',
  'active',
];
/** Statuses a check message may claim. */
export const CLAIMABLE_STATUSES: readonly JobStatus[] = ['pending', 'queued'];

export const CHECK_OUTCOMES = [
  'ok',
  'price_not_found',
  'blocked',
  'out_of_stock',
  'fetch_error',
  'currency_mismatch',
  /** The page states two different prices that no rule reconciles: recorded, never alerted on. */
  'price_uncertain',
] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** Where each field of a check was read ('jsonld', 'state:next', 'heuristic', ...), so a wrong price can be traced. */
export interface FieldSources {
  price?: string | null;
  currency?: string | null;
  availability?: string | null;
  title?: string | null;
  /** Why the price is the one taken when the page's sources disagreed. */
  note?: string | null;
}

/** One of the prices a page states, when they disagree. */
export interface PriceCandidate {
  /** Exact decimal string. */
  price: string;
  currency: string | null;
  source: string;
}

export interface Job {
  jobId: string;
  userId: string;
  url: string;
  /** Exact decimal string, e.g. "19.99". */
  targetPrice: string;
  /** ISO 4217 code. */
  currency: string;
  selector?: string;
  checkIntervalMinutes: number;
  status: JobStatus;
  /** Optimistic-concurrency counter; every write is conditional on it. */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Epoch milliseconds when the job is next due (or when its lease expires). */
  nextCheckAt?: number;
  title?: string;
  lastPrice?: string;
  lastCurrency?: string;
  lastCheckedAt?: string;
  lastOutcome?: CheckOutcome;
  lastSource?: string;
  consecutiveFailures: number;
  failureReason?: string;
  notifiedAt?: string;
  /** The SQS message id of the check that holds the job (status processing); lets a redelivery of that message resume. */
  claimMessageId?: string;
  /** When that check claimed the job; its price point is stamped with it, so a resumed check writes the same point. */
  claimedAt?: string;
  /** The outbox entry of the alert this job raised, while status is notified. */
  notificationSk?: string;
  /** The prices the page stated on the last check, when its outcome was price_uncertain. */
  priceCandidates?: PriceCandidate[];
}

/**
 * A job as its owner sees it in a list: without the owner (the caller), the concurrency counter
 * and a check's internal claim. The list reads only these attributes from the table.
 */
export type JobView = Omit<
  Job,
  'userId' | 'version' | 'claimMessageId' | 'claimedAt' | 'notificationSk'
>;

/**
 * Every attribute of JobView, spelled once: as a Record over its keys, so a field added to Job
 * fails to compile here until it is either listed or left out of JobView on purpose.
 */
const JOB_VIEW_FIELDS: Record<keyof JobView, true> = {
  jobId: true,
  url: true,
  targetPrice: true,
  currency: true,
  selector: true,
  checkIntervalMinutes: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  nextCheckAt: true,
  title: true,
  lastPrice: true,
  lastCurrency: true,
  lastCheckedAt: true,
  lastOutcome: true,
  lastSource: true,
  consecutiveFailures: true,
  failureReason: true,
  notifiedAt: true,
  priceCandidates: true,
};
export const JOB_VIEW_ATTRIBUTES = Object.keys(JOB_VIEW_FIELDS) as (keyof JobView)[];

export interface PricePoint {
  pointId: string;
  jobId: string;
  price: string;
  currency: string;
  checkedAt: string;
  source: string;
  /** Per-field sources of the check that recorded this point. */
  sources?: FieldSources;
}

/**
 * What one check found, priced or not: one is recorded for every check (the price history is the
 * priced ones among them). `outcome` is the result code; `reason` the human-readable detail of a
 * failure, safe to show (never internals).
 */
export interface CheckRecord {
  /** Derived from the check (job, message, claimed version), so a retried write finds its record. */
  checkId: string;
  jobId: string;
  checkedAt: string;
  outcome: CheckOutcome;
  /** Exact decimal, in `currency`; only on an `ok` check. */
  price?: string;
  currency?: string;
  /** Where the price was read. */
  source?: string;
  sources?: FieldSources;
  /** schema.org availability name as the page stated it ("InStock", "OutOfStock", ...). */
  availability?: string;
  reason?: string;
  /** From the claim to the outcome, in milliseconds. */
  durationMs?: number;
}

/** A record that carries a price the chart can draw. */
export function isPricedCheck(r: CheckRecord): r is CheckRecord & { price: string } {
  return r.outcome === 'ok' && typeof r.price === 'string';
}

export interface Notification {
  notificationId: string;
  jobId: string;
  url: string;
  title?: string;
  price: string;
  targetPrice: string;
  currency: string;
  createdAt: string;
  deliveredAt?: string;
  /** Channels that took it (all of them once delivered; those that did so far while it is not). */
  channels: string[];
  /** Delivery attempts started (the first with the check that raised it, then the redrive's). */
  deliveryAttempts?: number;
  /** Why the last attempt failed, while it is undelivered ("webhook answered 500"). */
  lastDeliveryError?: string;
  /** When the next attempt is due (ISO), while it is undelivered and not given up. */
  nextAttemptAt?: string;
  /** When delivery was given up (ALERT_GIVE_UP_AFTER_SECONDS after it was raised). */
  gaveUpAt?: string;
}

/** Why a webhook test failed: a code, never what the receiver answered. */
export const WEBHOOK_TEST_ERRORS = [
  /** The URL resolves to an address the egress policy refuses. */
  'refused_address',
  /** No connection (DNS, refused, reset). */
  'unreachable',
  /** No answer within the webhook timeout. */
  'timeout',
  /** The receiver answered outside 2xx (a redirect too: none is followed). */
  'http_status',
  /** The webhook was removed before the test ran. */
  'no_webhook',
  /** The test could not be queued. */
  'not_queued',
] as const;
export type WebhookTestError = (typeof WEBHOOK_TEST_ERRORS)[number];

/** The latest "send test" of the user's webhook; a new one replaces it, a new URL clears it. */
export interface WebhookTest {
  testId: string;
  requestedAt: string;
  state: 'pending' | 'sent' | 'failed';
  finishedAt?: string;
  /** The receiver's HTTP status, when it answered. */
  httpStatus?: number;
  error?: WebhookTestError;
}

/** The caller's settings, stored beside their jobs where the worker reads the webhook. */
export interface UserProfile {
  userId: string;
  webhookUrl?: string;
  webhookTest?: WebhookTest;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
