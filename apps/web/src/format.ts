/**
 * What the web app shows for the API's values. Money arrives as exact decimal strings and is
 * displayed from them: Intl.NumberFormat formats a string as the exact decimal it spells (ECMA-402
 * "Intl.NumberFormat v3"), so a price is never a float on its way to the screen.
 */
import type {
  CheckOutcome,
  Job,
  JobStatus,
  Notification,
  WebhookTest,
  WebhookTestError,
} from './api-types';

const DECIMAL = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,6})?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

function currencyDigits(currency: string, locale?: string): number {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

/**
 * "1299.5" EUR → "€1,299.50" (en-US). Never rounds: a price with more decimals than its
 * currency uses keeps them all. A value that is not a decimal string is shown as it came.
 */
export function formatMoney(amount: string, currency: string, locale?: string): string {
  if (!isDecimal(amount)) return `${amount} ${currency}`;
  const fraction = amount.split('.')[1]?.length ?? 0;
  const digits = Math.max(currencyDigits(currency, locale), fraction);
  try {
    const nf = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    // The string overload: formatted as the exact decimal, not through a double.
    return nf.format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Exact integer minor units (at `scale` fraction digits) to a decimal string: 12345, 2 → "123.45". */
export function minorToDecimal(minor: number, scale: number): string {
  const negative = minor < 0;
  const digits = String(Math.abs(Math.round(minor))).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** A decimal string to integer minor units at `scale` digits, exactly (fraction beyond is truncated). */
export function decimalToMinor(value: string, scale: number): number {
  const [int, frac = ''] = value.split('.');
  return Number(int + frac.padEnd(scale, '0').slice(0, scale));
}

const STATUS_WORDS: Record<JobStatus, string> = {
  pending: 'Waiting for the first check',
  queued: 'Check queued',
  processing: 'Checking now',
  active: 'Watching',
  notified: 'Alert sent: price at or below target',
  failed: 'Failed',
  paused: 'Paused',
};

export const OUTCOME_WORDS: Record<CheckOutcome, string> = {
  ok: 'Price found',
  price_not_found: 'No price found on the page',
  blocked: 'Blocked by the shop',
  out_of_stock: 'Out of stock',
  fetch_error: 'Page could not be fetched',
  currency_mismatch: 'Price in another currency',
  price_uncertain: 'The page shows two different prices (no alert)',
};

export type Tone = 'ok' | 'info' | 'warn' | 'bad' | 'muted';

export interface StatusView {
  words: string;
  /** Why: the failure reason, or what the last check ran into. */
  detail?: string;
  tone: Tone;
}

/** The job's status in words, with the reason when there is one. */
export function statusView(job: Pick<Job, 'status' | 'failureReason' | 'lastOutcome'>): StatusView {
  const words = STATUS_WORDS[job.status] ?? job.status;
  if (job.status === 'failed') {
    return { words, detail: job.failureReason ?? 'The checks kept failing', tone: 'bad' };
  }
  if (job.status === 'paused') return { words, tone: 'muted' };
  if (job.status === 'notified') return { words, tone: 'ok' };
  if (job.lastOutcome && job.lastOutcome !== 'ok' && job.lastOutcome !== 'out_of_stock') {
    return { words, detail: `Last check: ${OUTCOME_WORDS[job.lastOutcome]}`, tone: 'warn' };
  }
  return { words, tone: 'info' };
}

/** Availability as last seen: in stock after a price was found, out of stock when the page said so. */
export function availabilityWords(job: Pick<Job, 'lastOutcome'>): string {
  if (job.lastOutcome === 'ok') return 'In stock';
  if (job.lastOutcome === 'out_of_stock') return 'Out of stock';
  return 'Unknown';
}

const AVAILABILITY_WORDS: Record<string, string> = {
  InStock: 'In stock',
  InStoreOnly: 'In store only',
  OnlineOnly: 'Online only',
  LimitedAvailability: 'Limited',
  PreOrder: 'Pre-order',
  PreSale: 'Pre-sale',
  BackOrder: 'Back-order',
  MadeToOrder: 'Made to order',
  OutOfStock: 'Out of stock',
  SoldOut: 'Sold out',
  Discontinued: 'Discontinued',
  Reserved: 'Reserved',
};

/** A check's availability (a schema.org name) in words; an unknown name is not shown as such. */
export function checkAvailabilityWords(check: {
  availability?: string;
  outcome: CheckOutcome;
}): string {
  if (check.availability)
    return Object.hasOwn(AVAILABILITY_WORDS, check.availability)
      ? AVAILABILITY_WORDS[check.availability]
      : 'Unknown';
  if (check.outcome === 'out_of_stock') return 'Out of stock';
  return check.outcome === 'ok' ? 'In stock' : '—';
}

/** How long a check took: "0.4 s", "12 s", "1 min 5 s"; empty when unknown. */
export function durationWords(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 50) return 'under 0.1 s';
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const WEBHOOK_TEST_REASONS: Record<WebhookTestError, string> = {
  refused_address: 'the URL leads to an address pricewatch may not send to',
  unreachable: 'the webhook could not be reached',
  timeout: 'the webhook did not answer in time',
  http_status: 'the webhook answered with an error',
  no_webhook: 'no webhook was saved when the test ran',
  not_queued: 'the test could not be queued; try again',
};

/** After this long, a test still pending is said to be waiting (the worker may be down). */
const TEST_WAIT_MS = 60_000;

/** What the settings page says about the latest webhook test. */
export function webhookTestWords(
  test: WebhookTest | undefined,
  now: number,
): { text: string; tone: 'ok' | 'bad' | 'info' } | null {
  if (!test) return null;
  if (test.state === 'sent') {
    const status = test.httpStatus ? ` (HTTP ${test.httpStatus})` : '';
    return { text: `Test sent: your webhook accepted it${status}.`, tone: 'ok' };
  }
  if (test.state === 'failed') {
    const known = test.error && Object.hasOwn(WEBHOOK_TEST_REASONS, test.error);
    let reason = known ? WEBHOOK_TEST_REASONS[test.error!] : 'the test could not be sent';
    if (test.error === 'http_status' && test.httpStatus)
      reason = `the webhook answered HTTP ${test.httpStatus}`;
    return { text: `Test failed: ${reason}.`, tone: 'bad' };
  }
  const waited = now - Date.parse(test.requestedAt);
  return waited > TEST_WAIT_MS
    ? { text: 'Test queued; still waiting for it to be sent…', tone: 'info' }
    : { text: 'Sending a test…', tone: 'info' };
}

/** The shop's host without "www.", or the raw text when it is not a URL. */
export function shopHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "just now", "in 2 hours"; "never" without a time. */
export function relativeTime(iso: string | undefined, now: number, locale?: string): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const diff = t - now;
  if (Math.abs(diff) < 45_000) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'minute') return rtf.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

/** Date and time for tables and tooltips. */
export function dateTime(iso: string, locale?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
}

/** Minutes as people say them: 90 → "1 h 30 min", 1440 → "1 day". */
export function intervalWords(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) {
    const d = minutes / 1440;
    return d === 1 ? '1 day' : `${d} days`;
  }
  if (minutes >= 60) {
    const h = Math.floor(minutes / 60);
    const m = Math.round(minutes % 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  return `${minutes} min`;
}

/** How an alert's delivery stands, in words: delivered, retried after a failure, or given up. */
export function deliveryWords(
  n: Pick<Notification, 'deliveryStatus' | 'deliveredAt' | 'channels' | 'lastDeliveryError'>,
): string {
  if (n.deliveredAt || n.deliveryStatus === 'delivered')
    return `delivered via ${n.channels.join(', ') || 'outbox'}`;
  if (n.deliveryStatus === 'failed')
    return `delivery failed${n.lastDeliveryError ? ` (${n.lastDeliveryError})` : ''}; not retried`;
  return n.lastDeliveryError
    ? `delivery failed (${n.lastDeliveryError}); retrying`
    : 'delivery pending';
}
