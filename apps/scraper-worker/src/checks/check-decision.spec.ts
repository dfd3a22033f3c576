import { Job } from '@app/jobs-domain';
import { decide, DecisionPolicy, Observation } from './check-decision';

const now = new Date('2026-11-23T12:00:00.000Z');
const policy: DecisionPolicy = { maxConsecutiveFailures: 3, jitterRatio: 0.1, random: () => 0.5 };
const job = (over: Partial<Job> = {}): Job => ({
  jobId: 'j1',
  userId: 'u1',
  url: 'https://shop.example.com/p',
  targetPrice: '100.00',
  currency: 'EUR',
  checkIntervalMinutes: 60,
  status: 'processing',
  version: 3,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  consecutiveFailures: 0,
  claimedAt: '2026-11-23T11:59:58.000Z',
  claimMessageId: 'm1',
  ...over,
});
const ok = (price: string, currency = 'EUR'): Observation => ({
  outcome: 'ok',
  price,
  currency,
  source: 'jsonld',
  title: 'Kettle',
});

describe('decide', () => {
  it('notifies when the price is exactly the target, stamping the claim time', () => {
    const d = decide(job(), ok('100.00'), 'c1', now, policy);
    expect(d.change.set).toMatchObject({
      status: 'notified',
      lastPrice: '100.00',
      notifiedAt: '2026-11-23T11:59:58.000Z',
    });
    expect(d.change.set?.notificationSk).toBe('NOTIF#2026-11-23T11:59:58.000Z#c1');
    expect(d.record).toMatchObject({
      checkId: 'c1',
      jobId: 'j1',
      outcome: 'ok',
      price: '100.00',
      currency: 'EUR',
      checkedAt: '2026-11-23T11:59:58.000Z',
    });
    expect(d.change.remove).toEqual(expect.arrayContaining(['claimMessageId', 'claimedAt']));
  });

  it('compares exactly: 100.001 is above a 100.00 target', () => {
    expect(decide(job(), ok('100.001'), 'c1', now, policy).change.set?.status).toBe('active');
    expect(decide(job(), ok('99.999'), 'c1', now, policy).change.set?.status).toBe('notified');
  });

  it('schedules the next check after the interval plus jitter when the price is above the target', () => {
    const d = decide(job(), ok('120.00'), 'c1', now, policy);
    expect(d.change.set).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    expect(d.change.set?.nextCheckAt).toBe(now.getTime() + 3_600_000 + 180_000);
  });

  it.each<[Observation, string]>([
    [{ outcome: 'ok', price: '50.00', currency: 'GBP' }, 'currency_mismatch'],
    [{ outcome: 'blocked', retryAfterSeconds: 7200 }, 'blocked'],
    [{ outcome: 'price_not_found' }, 'price_not_found'],
    [{ outcome: 'fetch_error', reason: 'The shop did not answer in time' }, 'fetch_error'],
    [{ outcome: 'out_of_stock', price: '10.00' }, 'out_of_stock'],
    [{ outcome: 'ok', price: null }, 'price_not_found'],
  ])('never alerts and records the check without a price for %j', (seen, outcome) => {
    const d = decide(job(), seen, 'c1', now, policy);
    expect(d.change.set?.status).toBe('active');
    expect(d.change.set?.lastOutcome).toBe(outcome);
    expect(d.change.set?.failureReason).toEqual(expect.any(String));
    expect(d.record).toMatchObject({
      checkId: 'c1',
      outcome,
      checkedAt: '2026-11-23T11:59:58.000Z',
      reason: d.change.set?.failureReason,
    });
    expect(d.record.price).toBeUndefined();
  });

  it('records the availability the page stated, and out of stock when the outcome says so', () => {
    expect(
      decide(job(), { ...ok('120.00'), availability: 'LimitedAvailability' }, 'c1', now, policy)
        .record.availability,
    ).toBe('LimitedAvailability');
    expect(decide(job(), { outcome: 'out_of_stock' }, 'c1', now, policy).record).toMatchObject({
      outcome: 'out_of_stock',
      availability: 'OutOfStock',
    });
    expect(
      decide(job(), { outcome: 'fetch_error' }, 'c1', now, policy).record.availability,
    ).toBeUndefined();
  });

  it('records a check that fails the job with its reason, without the count', () => {
    const d = decide(job({ consecutiveFailures: 2 }), { outcome: 'blocked' }, 'c9', now, policy);
    expect(d.change.set?.status).toBe('failed');
    expect(d.record).toEqual({
      checkId: 'c9',
      jobId: 'j1',
      checkedAt: '2026-11-23T11:59:58.000Z',
      outcome: 'blocked',
      reason: 'The shop blocked the request (captcha or rate limit)',
    });
  });

  it('backs off on failures (honouring Retry-After) and does not count out of stock as one', () => {
    const blocked = decide(
      job({ consecutiveFailures: 1 }),
      { outcome: 'blocked', retryAfterSeconds: 7200 },
      'c',
      now,
      policy,
    );
    expect(blocked.change.set?.consecutiveFailures).toBe(2);
    expect(blocked.change.set?.nextCheckAt).toBe(now.getTime() + 7_200_000 * 2 + 180_000);
    const oos = decide(
      job({ consecutiveFailures: 2 }),
      { outcome: 'out_of_stock' },
      'c',
      now,
      policy,
    );
    expect(oos.change.set?.consecutiveFailures).toBeUndefined();
    expect(oos.change.set?.status).toBe('active');
  });

  it('never alerts on an uncertain price, even below the target, and keeps both candidates', () => {
    const candidates = [
      { price: '49.00', currency: 'EUR', source: 'meta' },
      { price: '59.00', currency: 'EUR', source: 'heuristic' },
    ];
    const d = decide(
      job({ consecutiveFailures: 1 }),
      {
        outcome: 'price_uncertain',
        price: '59.00',
        currency: 'EUR',
        source: 'heuristic',
        candidates,
      },
      'c1',
      now,
      policy,
    );
    expect(d.record.price).toBeUndefined();
    expect(d.record.outcome).toBe('price_uncertain');
    expect(d.record.reason).toContain('49.00 EUR (meta) vs 59.00 EUR (heuristic)');
    expect(d.change.set).toMatchObject({
      status: 'active',
      lastOutcome: 'price_uncertain',
      priceCandidates: candidates,
      nextCheckAt: now.getTime() + 3_600_000 + 180_000,
    });
    expect(d.change.set?.notificationSk).toBeUndefined();
    expect(d.change.set?.lastPrice).toBeUndefined();
    expect(d.change.set?.consecutiveFailures).toBeUndefined();
    expect(d.change.set?.failureReason).toContain('49.00 EUR (meta) vs 59.00 EUR (heuristic)');
    expect(d.change.remove).not.toContain('priceCandidates');
  });

  it('clears the candidates of an earlier uncertain check once the price is read, and keeps per-field sources on the point', () => {
    const sources = { price: 'jsonld', currency: 'jsonld', availability: 'buybox', title: 'h1' };
    const d = decide(
      job({ priceCandidates: [{ price: '1.00', currency: 'EUR', source: 'meta' }] }),
      { ...ok('120.00'), sources },
      'c1',
      now,
      policy,
    );
    expect(d.change.remove).toContain('priceCandidates');
    expect(d.record.sources).toEqual(sources);
  });

  it('fails the job after the configured number of failures in a row, keeping the reason', () => {
    const d = decide(
      job({ consecutiveFailures: 2 }),
      { outcome: 'price_not_found' },
      'c',
      now,
      policy,
    );
    expect(d.change.set).toMatchObject({ status: 'failed', consecutiveFailures: 3 });
    expect(d.change.set?.failureReason).toMatch(/No price could be found.*3 checks in a row/);
  });
});
