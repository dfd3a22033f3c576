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
 * One entry of a job's history. Today the API records successful checks only (with a price);
 * `outcome` and `reason` are read when present so that failed and out-of-stock checks show too.
 */
export interface HistoryPoint {
  id: string;
  price?: string;
  currency: string;
  checkedAt: string;
  source?: string;
  outcome?: CheckOutcome;
  reason?: string;
}

export interface History {
  points: HistoryPoint[];
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
}

export interface NotificationList {
  notifications: Notification[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  email: string;
  webhookUrl?: string;
}
