import { MAX_RETRY_AFTER_SECONDS, isBlockedStatus, retryAfterSeconds } from './classify';

describe('isBlockedStatus', () => {
  it.each([403, 429, 503, 999])('%i is a block', (s) => expect(isBlockedStatus(s)).toBe(true));
  it.each([200, 301, 404, 500, 502])('%i is not', (s) => expect(isBlockedStatus(s)).toBe(false));
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it('reads delta-seconds, any header case', () => {
    expect(retryAfterSeconds({ 'retry-after': '120' }, now)).toBe(120);
    expect(retryAfterSeconds({ 'Retry-After': ' 5 ' }, now)).toBe(5);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    expect(retryAfterSeconds({ 'retry-after': 'Mon, 23 Nov 2026 12:10:00 GMT' }, now)).toBe(600);
    expect(retryAfterSeconds({ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT' }, now)).toBe(0);
  });
  it('caps what a shop can ask for', () => {
    expect(retryAfterSeconds({ 'retry-after': '99999999999' }, now)).toBe(MAX_RETRY_AFTER_SECONDS);
  });
  it('returns null for absent or garbage values', () => {
    expect(retryAfterSeconds({}, now)).toBeNull();
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterSeconds({ 'retry-after': '-5' }, now)).toBeNull();
    expect(retryAfterSeconds({ 'retry-after': '1.5' }, now)).toBeNull();
  });
});
