/** Statuses shops answer bots with; 999 is LinkedIn-style "request denied". */
const BLOCKED_STATUSES = new Set([403, 429, 503, 999]);

export function isBlockedStatus(status: number): boolean {
  return BLOCKED_STATUSES.has(status);
}

/** A shop cannot push a job further out than this, whatever its header says. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/**
 * Retry-After as whole seconds from now (delta-seconds or an HTTP date), capped at a day; null
 * when absent or unreadable. Header names are matched case-insensitively.
 */
export function retryAfterSeconds(
  headers: Record<string, string>,
  now: number = Date.now(),
): number | null {
  let raw: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'retry-after') {
      raw = value;
      break;
    }
  }
  if (raw === undefined) return null;
  const value = raw.trim().slice(0, 100);
  if (/^\d+$/.test(value)) return Math.min(Number(value), MAX_RETRY_AFTER_SECONDS);
  // Only accept something that looks like an HTTP date; Date.parse is lenient with garbage.
  if (!/^[A-Za-z]{3},? /.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}
