import type { Check } from './api-types';
import { chartName, compareDecimal, niceStep, shapeHistory, sparklinePath } from './chart-data';

const job = { targetPrice: '200.00', currency: 'USD' };
const now = Date.parse('2026-11-30T12:00:00Z');
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
const point = (id: string, minutesAgo: number, price?: string, outcome?: Check['outcome']) =>
  ({ id, currency: 'USD', checkedAt: at(minutesAgo), price, outcome }) as Check;

describe('shapeHistory', () => {
  it('puts the newest-first history in time order, with exact labels', () => {
    const m = shapeHistory(
      [point('c', 10, '219.99'), point('b', 20, '230.00'), point('a', 30, '249.5')],
      job,
      now,
      'en-US',
    );
    expect(m.points.map((p) => p.price)).toEqual(['249.5', '230.00', '219.99']);
    expect(m.points.map((p) => p.minor)).toEqual([24950, 23000, 21999]);
    expect(m.points[2].label).toMatch(/: \$219\.99$/);
    expect(m.target).toEqual({ price: '200.00', minor: 20000 });
  });

  it('spans the prices and the target on the price axis, with tick labels from minor units', () => {
    const m = shapeHistory([point('a', 30, '249.50')], job, now, 'en-US');
    expect(m.y.min).toBeLessThanOrEqual(20000);
    expect(m.y.max).toBeGreaterThanOrEqual(24950);
    for (const t of m.y.ticks) expect(t.label).toMatch(/^\$\d{1,3}(,\d{3})*\.\d{2}$/);
    const steps = m.y.ticks.slice(1).map((t, i) => t.value - m.y.ticks[i].value);
    expect(new Set(steps).size).toBe(1);
  });

  it('keeps a scale fine enough for the most precise price', () => {
    const m = shapeHistory(
      [point('a', 5, '0.0015')],
      { targetPrice: '0.001', currency: 'USD' },
      now,
    );
    expect(m.scale).toBe(4);
    expect(m.points[0].minor).toBe(15);
    expect(m.target.minor).toBe(10);
  });

  it('shades out-of-stock periods from the out-of-stock check to the next check that saw a price', () => {
    const m = shapeHistory(
      [
        point('d', 10, '210.00', 'ok'),
        point('c', 20, undefined, 'out_of_stock'),
        point('b', 30, undefined, 'out_of_stock'),
        point('a', 40, '220.00', 'ok'),
      ],
      job,
      now,
    );
    expect(m.outOfStock).toEqual([{ from: Date.parse(at(30)), to: Date.parse(at(10)) }]);
    expect(m.points).toHaveLength(2);
    expect(m.checks.map((c) => c.outcome)).toEqual(['ok', 'out_of_stock', 'out_of_stock', 'ok']);
  });

  it('lists every check of /checks in the table but draws only the priced ones', () => {
    const checks: Check[] = [
      { id: 'd', checkedAt: at(10), outcome: 'fetch_error', reason: 'The shop did not answer' },
      {
        id: 'c',
        checkedAt: at(20),
        outcome: 'ok',
        price: '210.00',
        currency: 'USD',
        durationMs: 412,
      },
      { id: 'b', checkedAt: at(30), outcome: 'blocked', reason: 'The shop answered 429' },
      { id: 'a', checkedAt: at(40), outcome: 'price_uncertain', reason: 'two prices' },
    ];
    const m = shapeHistory(checks, job, now);
    expect(m.checks.map((c) => [c.id, c.outcome])).toEqual([
      ['a', 'price_uncertain'],
      ['b', 'blocked'],
      ['c', 'ok'],
      ['d', 'fetch_error'],
    ]);
    expect(m.checks[1].reason).toBe('The shop answered 429');
    expect(m.checks[2].durationMs).toBe(412);
    expect(m.points.map((p) => p.id)).toEqual(['c']);
    // The time axis spans every check, so a failure after the last price is in view.
    expect(m.x.max).toBeGreaterThan(Date.parse(at(10)));
    expect(m.outOfStock).toEqual([]);
  });

  it('never draws a price that came with a failed outcome', () => {
    const m = shapeHistory(
      [{ id: 'x', checkedAt: at(5), outcome: 'currency_mismatch', price: '1.00' }],
      job,
      now,
    );
    expect(m.points).toEqual([]);
    expect(m.checks).toHaveLength(1);
  });

  it('shades until now when the job says its last check found the product out of stock', () => {
    const m = shapeHistory(
      [point('a', 40, '220.00')],
      { ...job, lastOutcome: 'out_of_stock', lastCheckedAt: at(5) },
      now,
    );
    expect(m.outOfStock).toEqual([{ from: Date.parse(at(5)), to: now }]);
    expect(m.x.max).toBeGreaterThanOrEqual(now);
  });

  it('spans the checks in time, with a margin, not a fixed window', () => {
    const m = shapeHistory([point('b', 1, '10.00'), point('a', 2, '11.00')], job, now);
    expect(m.x.min).toBeLessThan(Date.parse(at(2)));
    expect(m.x.min).toBeGreaterThan(Date.parse(at(3)));
    expect(m.x.max).toBeGreaterThan(Date.parse(at(1)));
    expect(m.x.max).toBeLessThan(now);
  });

  it('draws an empty history: the target alone', () => {
    const m = shapeHistory([], job, now);
    expect(m.points).toEqual([]);
    expect(m.x.max).toBeGreaterThan(m.x.min);
    expect(m.y.ticks.length).toBeGreaterThan(1);
  });

  it('ignores prices that are not decimal strings instead of plotting NaN', () => {
    const m = shapeHistory([point('a', 5, 'NaN'), point('b', 6, '1e9')], job, now);
    expect(m.points).toEqual([]);
  });
});

describe('chartName', () => {
  it('starts with "Price history" and gives latest, lowest and target', () => {
    const m = shapeHistory([point('b', 10, '219.99'), point('a', 20, '199.50')], job, now, 'en-US');
    expect(chartName(m, 'Lamp', 'en-US')).toBe(
      'Price history of Lamp: 2 prices, latest $219.99, lowest $199.50; target $200.00',
    );
    expect(chartName(shapeHistory([], job, now), 'Lamp', 'en-US')).toBe(
      'Price history of Lamp: no prices yet; target $200.00',
    );
  });
});

describe('helpers', () => {
  it('compares decimals exactly', () => {
    expect(compareDecimal('10.5', '10.50')).toBe(0);
    expect(compareDecimal('9.99', '10')).toBe(-1);
    expect(compareDecimal('999999999999999.99', '999999999999999.98')).toBe(1);
  });

  it('picks 1-2-5 steps', () => {
    expect(niceStep(0.3)).toBe(1);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(120)).toBe(200);
    expect(niceStep(1000)).toBe(1000);
  });

  it('draws a sparkline inside its box', () => {
    const d = sparklinePath(['10.00', '12.00', '11.00'], 96, 28);
    expect(d).toBe('M0.0 26.0L48.0 2.0L96.0 14.0');
    expect(sparklinePath(['5.00'], 96, 28)).toBe('M0 14.0H96');
    expect(sparklinePath([], 96, 28)).toBe('');
  });
});
