import {
  availabilityWords,
  deliveryWords,
  checkAvailabilityWords,
  durationWords,
  webhookTestWords,
  decimalToMinor,
  formatMoney,
  intervalWords,
  minorToDecimal,
  relativeTime,
  shopHost,
  statusView,
} from './format';

describe('formatMoney', () => {
  it('formats the decimal string exactly, with the currency symbol and grouping', () => {
    expect(formatMoney('1299.5', 'EUR', 'en-US')).toBe('€1,299.50');
    expect(formatMoney('1299.50', 'EUR', 'de-DE')).toBe('1.299,50\u00a0€');
    expect(formatMoney('19', 'USD', 'en-US')).toBe('$19.00');
  });

  it('never goes through a float: 15 integer digits keep their cents', () => {
    // As a double, 999999999999999.99 is 1000000000000000.
    expect(formatMoney('999999999999999.99', 'USD', 'en-US')).toBe('$999,999,999,999,999.99');
    expect(formatMoney('0.1', 'USD', 'en-US')).toBe('$0.10');
  });

  it('never rounds: more decimals than the currency uses are kept', () => {
    expect(formatMoney('0.0015', 'USD', 'en-US')).toBe('$0.0015');
    expect(formatMoney('19.995', 'EUR', 'en-US')).toBe('€19.995');
    expect(formatMoney('1500', 'JPY', 'en-US')).toBe('¥1,500');
  });

  it('shows anything that is not a decimal string as it came, never as NaN', () => {
    expect(formatMoney('12,50', 'EUR', 'en-US')).toBe('12,50 EUR');
    expect(formatMoney('1e3', 'EUR', 'en-US')).toBe('1e3 EUR');
    expect(formatMoney('5', 'XYZ!', 'en-US')).toBe('5 XYZ!');
  });
});

describe('minor units', () => {
  it('converts both ways exactly', () => {
    expect(minorToDecimal(12345, 2)).toBe('123.45');
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(1500, 0)).toBe('1500');
    expect(decimalToMinor('123.45', 2)).toBe(12345);
    expect(decimalToMinor('0.1', 3)).toBe(100);
    expect(decimalToMinor('7', 2)).toBe(700);
  });
});

describe('statusView', () => {
  it('puts every status in words', () => {
    expect(statusView({ status: 'pending' }).words).toBe('Waiting for the first check');
    expect(statusView({ status: 'active', lastOutcome: 'ok' })).toEqual({
      words: 'Watching',
      tone: 'info',
    });
    expect(statusView({ status: 'paused' }).words).toBe('Paused');
    expect(statusView({ status: 'notified' }).words).toMatch(/at or below target/);
  });

  it('gives the failure reason of a failed job', () => {
    expect(
      statusView({ status: 'failed', failureReason: 'No price could be found on the page' }),
    ).toEqual({ words: 'Failed', detail: 'No price could be found on the page', tone: 'bad' });
    expect(statusView({ status: 'failed' }).detail).toBe('The checks kept failing');
  });

  it('says what the last check ran into while the job keeps going', () => {
    expect(statusView({ status: 'active', lastOutcome: 'blocked' })).toEqual({
      words: 'Watching',
      detail: 'Last check: Blocked by the shop',
      tone: 'warn',
    });
  });

  it('says when the page showed two prices and no alert was sent', () => {
    expect(statusView({ status: 'active', lastOutcome: 'price_uncertain' }).detail).toBe(
      'Last check: The page shows two different prices (no alert)',
    );
  });
});

describe('words for the list', () => {
  it('availability from the last outcome', () => {
    expect(availabilityWords({ lastOutcome: 'ok' })).toBe('In stock');
    expect(availabilityWords({ lastOutcome: 'out_of_stock' })).toBe('Out of stock');
    expect(availabilityWords({})).toBe('Unknown');
  });

  it('the shop host', () => {
    expect(shopHost('https://www.example.com/p/1?x=2')).toBe('example.com');
    expect(shopHost('not a url')).toBe('not a url');
  });

  it('relative times', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(relativeTime(undefined, now)).toBe('never');
    expect(relativeTime('2026-11-30T11:59:50Z', now, 'en')).toBe('just now');
    expect(relativeTime('2026-11-30T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(relativeTime('2026-11-30T09:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(relativeTime('2026-11-28T12:00:00Z', now, 'en')).toBe('2 days ago');
  });

  it('intervals', () => {
    expect(intervalWords(15)).toBe('15 min');
    expect(intervalWords(60)).toBe('1 h');
    expect(intervalWords(90)).toBe('1 h 30 min');
    expect(intervalWords(1440)).toBe('1 day');
    expect(intervalWords(0.05)).toBe('3 s');
  });
});

describe('words for the checks table', () => {
  it("a check's availability, from what the page stated or else from its outcome", () => {
    expect(checkAvailabilityWords({ availability: 'InStock', outcome: 'ok' })).toBe('In stock');
    expect(checkAvailabilityWords({ availability: 'LimitedAvailability', outcome: 'ok' })).toBe(
      'Limited',
    );
    expect(checkAvailabilityWords({ availability: 'OutOfStock', outcome: 'out_of_stock' })).toBe(
      'Out of stock',
    );
    expect(checkAvailabilityWords({ outcome: 'out_of_stock' })).toBe('Out of stock');
    // A price point from before availability was recorded: a price was on sale.
    expect(checkAvailabilityWords({ outcome: 'ok' })).toBe('In stock');
    expect(checkAvailabilityWords({ outcome: 'fetch_error' })).toBe('—');
    // Whatever the API sends, only known names are shown as words.
    expect(checkAvailabilityWords({ availability: '<img src=x>', outcome: 'ok' })).toBe('Unknown');
    expect(checkAvailabilityWords({ availability: 'constructor', outcome: 'ok' })).toBe('Unknown');
  });

  it('how long a check took', () => {
    expect(durationWords(undefined)).toBe('');
    expect(durationWords(-1)).toBe('');
    expect(durationWords(Number.NaN)).toBe('');
    expect(durationWords(0)).toBe('under 0.1 s');
    expect(durationWords(49)).toBe('under 0.1 s');
    expect(durationWords(50)).toBe('0.1 s');
    expect(durationWords(412)).toBe('0.4 s');
    expect(durationWords(9_949)).toBe('9.9 s');
    expect(durationWords(12_400)).toBe('12 s');
    expect(durationWords(65_000)).toBe('1 min 5 s');
  });
});

describe('deliveryWords', () => {
  const base = { channels: [] as string[] };
  it('names the channels of a delivered alert', () => {
    expect(
      deliveryWords({
        ...base,
        deliveryStatus: 'delivered',
        deliveredAt: '2026-11-30T07:00:00.000Z',
        channels: ['outbox', 'webhook'],
      }),
    ).toBe('delivered via outbox, webhook');
  });
  it('says a failing alert is retried, with the reason', () => {
    expect(
      deliveryWords({
        ...base,
        deliveryStatus: 'pending',
        lastDeliveryError: 'webhook answered 500',
      }),
    ).toBe('delivery failed (webhook answered 500); retrying');
    expect(deliveryWords({ ...base, deliveryStatus: 'pending' })).toBe('delivery pending');
  });
  it('says a given-up alert failed and is not retried', () => {
    expect(
      deliveryWords({
        ...base,
        deliveryStatus: 'failed',
        lastDeliveryError: 'webhook answered 500',
      }),
    ).toBe('delivery failed (webhook answered 500); not retried');
  });
});

describe('words for the webhook test', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const base = { id: 't1', requestedAt: '2026-11-30T11:59:58Z' };

  it('nothing before the first test', () => {
    expect(webhookTestWords(undefined, now)).toBeNull();
  });

  it('sending, then waiting when the worker takes longer than a minute', () => {
    expect(webhookTestWords({ ...base, state: 'pending' }, now)).toEqual({
      text: 'Sending a test…',
      tone: 'info',
    });
    expect(
      webhookTestWords({ ...base, state: 'pending', requestedAt: '2026-11-30T11:58:00Z' }, now)
        ?.text,
    ).toMatch(/still waiting/);
  });

  it('sent, with the status the webhook answered', () => {
    expect(webhookTestWords({ ...base, state: 'sent', httpStatus: 204 }, now)).toEqual({
      text: 'Test sent: your webhook accepted it (HTTP 204).',
      tone: 'ok',
    });
  });

  it('failed, with the reason in words', () => {
    const failed = (over: object) => webhookTestWords({ ...base, state: 'failed', ...over }, now);
    expect(failed({ error: 'http_status', httpStatus: 500 })).toEqual({
      text: 'Test failed: the webhook answered HTTP 500.',
      tone: 'bad',
    });
    expect(failed({ error: 'timeout' })?.text).toBe(
      'Test failed: the webhook did not answer in time.',
    );
    expect(failed({ error: 'refused_address' })?.text).toMatch(/may not send to/);
    // An unknown code (a newer server) still reads as a failure, never as the raw code.
    expect(failed({ error: 'toString' })?.text).toBe('Test failed: the test could not be sent.');
  });
});
