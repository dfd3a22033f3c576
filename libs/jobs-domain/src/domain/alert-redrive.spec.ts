import { alertGiveUpAt, deliveryFailureReason, nextAlertAttemptAt } from './alert-redrive';

const MIN = 60_000;
const policy = { baseMs: MIN, maxDelayMs: 60 * MIN, giveUpAfterMs: 24 * 60 * MIN };
const created = Date.parse('2026-11-30T07:00:00.000Z');

describe('alert redrive schedule', () => {
  it('waits the base for a fresh alert, between half of it and all of it', () => {
    expect(nextAlertAttemptAt(created, created, policy, () => 0)).toBe(created + MIN / 2);
    expect(nextAlertAttemptAt(created, created, policy, () => 0.999999)).toBe(created + MIN);
  });

  it('spaces attempts exponentially: each wait is the age of the alert, capped', () => {
    // Always the longest wait (no jitter): attempt times double the age each time.
    const times: number[] = [];
    let now = created;
    for (let i = 0; i < 9; i++) {
      now = nextAlertAttemptAt(created, now, policy, () => 1);
      times.push((now - created) / MIN);
    }
    expect(times).toEqual([1, 2, 4, 8, 16, 32, 64, 124, 184]);
  });

  it('never waits more than the cap, and jitter keeps at least half of the wait', () => {
    for (let age = 0; age < 30 * 60 * MIN; age += 7 * MIN) {
      for (const r of [0, 0.3, 0.999]) {
        const wait = nextAlertAttemptAt(created, created + age, policy, () => r) - created - age;
        const ceiling = Math.min(60 * MIN, Math.max(MIN, age));
        if (created + age + wait < alertGiveUpAt(created, policy)) {
          expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
          expect(wait).toBeLessThanOrEqual(ceiling);
        }
      }
    }
  });

  it('schedules nothing past the give-up deadline, a day after the alert', () => {
    const lateNow = created + 24 * 60 * MIN - 5 * MIN;
    expect(nextAlertAttemptAt(created, lateNow, policy, () => 1)).toBe(created + 24 * 60 * MIN);
    expect(alertGiveUpAt(created, policy)).toBe(created + 24 * 60 * MIN);
  });

  it('treats a clock behind the alert as a fresh alert', () => {
    expect(nextAlertAttemptAt(created, created - MIN, policy, () => 1)).toBe(created);
  });

  it('keeps a webhook error as written and only the name of anything else', () => {
    const hook = Object.assign(new Error('webhook answered 500'), { name: 'WebhookDeliveryError' });
    expect(deliveryFailureReason('webhook', hook)).toBe('webhook answered 500');
    const sdk = Object.assign(new Error('arn:aws:sns:... secret detail'), { name: 'AuthError' });
    expect(deliveryFailureReason('sns', sdk)).toBe('sns failed: AuthError');
    expect(deliveryFailureReason('sns', null)).toBe('sns failed: error');
  });
});
