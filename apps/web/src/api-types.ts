/** The API's shapes as the web app reads them (see the OpenAPI document at /docs-json). */
export type JobStatus =
  'pending' | 'queued' | 'processing' | 'active' | 'notified' | 'failed' | 'paused';

export type CheckOutcome =
  | 'ok'
  | 'price_not_found'
  | 'blocked'
  | 'out_of_stock'
  | 'fetch_error'
  | 'currency_mismatch'
  | 'price_uncertain';

export interface Job {
  id: string;
  url: string;
  targetPrice: string;
  currency: string;
  selector?: string;
  checkIntervalMinutes: number;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  nextCheckAt?: string;
  title?: string;
  lastPrice?: string;
  lastCurrency?: string;
  lastCheckedAt?: string;
  lastOutcome?: CheckOutcome;
  lastSource?: string;
  consecutiveFailures: number;
  failureReason?: string;
  notifiedAt?: string;
  /** The prices the page stated when they disagreed (lastOutcome price_uncertain). */
  priceCandidates?: { price: string; currency: string | null; source: string }[];
}

export interface JobList {
  jobs: Job[];
  nextCursor: string | null;
}

/**
 * One check of a job: a price point from /history (priced, no outcome: ok) or any check from
 * /checks (with its outcome, and a price only when it is ok).
 */
export interface HistoryPoint {
  id: string;
  price?: string;
  currency?: string;
  checkedAt: string;
  source?: string;
  outcome?: CheckOutcome;
  reason?: string;
  /** schema.org availability name as the page stated it ("InStock", ...). */
  availability?: string;
  durationMs?: number;
}

/** GET /jobs/{id}/history: the price points. */
export interface History {
  points: HistoryPoint[];
  nextCursor: string | null;
}

/** GET /jobs/{id}/checks: every check, whatever its outcome. */
export interface CheckList {
  checks: HistoryPoint[];
  nextCursor: string | null;
}

export interface Notification {
  id: string;
  jobId: string;
  url: string;
  title?: string;
  price: string;
  targetPrice: string;
  currency: string;
  createdAt: string;
  deliveredAt?: string;
  channels: string[];
  /** `pending` while delivery is under way or retried; `failed` once given up (a day after). */
  deliveryStatus: 'delivered' | 'pending' | 'failed';
  deliveryAttempts?: number;
  lastDeliveryError?: string;
  nextAttemptAt?: string;
  gaveUpAt?: string;
}

export interface NotificationList {
  notifications: Notification[];
  nextCursor: string | null;
}

export type WebhookTestError =
  'refused_address' | 'unreachable' | 'timeout' | 'http_status' | 'no_webhook' | 'not_queued';

/** The latest "send test" of the webhook (POST /me/webhook/test; then GET /me until it ends). */
export interface WebhookTest {
  id: string;
  state: 'pending' | 'sent' | 'failed';
  requestedAt: string;
  finishedAt?: string;
  httpStatus?: number;
  error?: WebhookTestError;
}

export interface Me {
  id: string;
  email: string;
  webhookUrl?: string;
  webhookTest?: WebhookTest;
}
