import {
  compareDecimal,
  decimalFromJsonNumber,
  isPositiveDecimal,
  normalizeDecimal,
} from './money';

describe('money', () => {
  it('compares decimals exactly, beyond float precision', () => {
    expect(compareDecimal('0.3', '0.30')).toBe(0);
    expect(compareDecimal('999999999999999.99', '999999999999999.98')).toBe(1);
    expect(compareDecimal('0.1', '0.100001')).toBe(-1);
  });
  it('normalises to at least two fraction digits', () => {
    expect(normalizeDecimal('19.9')).toBe('19.90');
    expect(normalizeDecimal('1299')).toBe('1299.00');
    expect(normalizeDecimal('0.125')).toBe('0.125');
  });
  it('refuses what is not a plain positive decimal', () => {
    for (const v of ['0', '0.00', '-1', '1e3', '01.5', '1.', '.5', 'NaN', '1,5', ' 1'])
      expect(isPositiveDecimal(v)).toBe(false);
    expect(isPositiveDecimal('0.01')).toBe(true);
  });
});

describe('decimalFromJsonNumber', () => {
  it.each([
    [19.99, '19.99'],
    [0.1, '0.1'],
    [10, '10'],
    [199.999999, '199.999999'],
    [123456789012345, '123456789012345'],
    [12345678901234.5, '12345678901234.5'],
  ])('reads %p exactly as %p', (n, text) => {
    expect(decimalFromJsonNumber(n)).toBe(text);
  });

  it.each([
    ['more than 15 significant digits', 0.1 + 0.2],
    ['a 16-digit integer', 1234567890123456],
    ['an exponent form', 1e-7],
    ['a large exponent form', 1e21],
    ['NaN', NaN],
    ['Infinity', Infinity],
  ])('refuses %s', (_, n) => {
    expect(decimalFromJsonNumber(n)).toBeUndefined();
  });
});
