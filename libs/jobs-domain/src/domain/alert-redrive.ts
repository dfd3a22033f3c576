/**
 * When an alert whose delivery failed is tried again, and when it is given up. Pure: the outbox
 * repository stores the result, the worker takes the first attempt, the rescheduler the others.
 *
 * The wait before the next attempt is the alert's age (the time since it was raised), at least
 * `baseMs` and at most `maxDelayMs`, with equal jitter (a random half of it is dropped). Each wait
 * roughly doubles the age, so the attempts are exponentially spaced (base, 2 base, 4 base, ... up
 * to the cap) without counting them: the schedule follows from the entry's key alone, and a lost
 * or doubled attempt does not shift it. No attempt is scheduled after `giveUpAfterMs`.
 */
export interface AlertRedrivePolicy {
  baseMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
}

/** The next attempt's time (epoch ms), never later than the give-up deadline. */
export function nextAlertAttemptAt(
  createdAtMs: number,
  nowMs: number,
  policy: AlertRedrivePolicy,
  random: () => number = Math.random,
): number {
  const age = Math.max(0, nowMs - createdAtMs);
  const ceiling = Math.min(policy.maxDelayMs, Math.max(policy.baseMs, age));
  const delay = Math.ceil(ceiling / 2 + random() * (ceiling / 2));
  return Math.min(nowMs + delay, alertGiveUpAt(createdAtMs, policy));
}

/** The time (epoch ms) after which an undelivered alert is given up instead of tried again. */
export function alertGiveUpAt(createdAtMs: number, policy: AlertRedrivePolicy): number {
  return createdAtMs + policy.giveUpAfterMs;
}

/** A short reason for a failed delivery, fit to store and show to the alert's owner. */
export function deliveryFailureReason(channel: string, err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null;
  // WebhookDeliveryError messages are written to be shown ("webhook answered 500"); anything else
  // (an SDK error) may carry internals, so only its name is kept.
  const text =
    e?.name === 'WebhookDeliveryError' && typeof e.message === 'string'
      ? e.message
      : `${channel} failed: ${typeof e?.name === 'string' ? e.name : 'error'}`;
  return text.slice(0, 200);
}
