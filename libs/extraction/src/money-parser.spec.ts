import { parseMoney } from './money-parser';

describe('parseMoney', () => {
  it.each([
    ['1.299 €', { lang: 'es' }, '1299', 'EUR'],
    ['1,299', { lang: 'en-US', currencyHint: 'USD' }, '1299', 'USD'],
    ['1.299,99 €', {}, '1299.99', 'EUR'],
    ['1,299.99', { currencyHint: 'USD' }, '1299.99', 'USD'],
    ['12,99', { currencyHint: 'EUR' }, '12.99', 'EUR'],
    ["CHF 1'049,95", {}, '1049.95', 'CHF'],
    ['4 835,50 €', {}, '4835.50', 'EUR'],
    ['35€ 99', {}, '35.99', 'EUR'],
    ['$.75', {}, '0.75', 'USD'],
    ['1.11000000000000009770', {}, '1.11000000000000009770', null],
  ])('reads %j as an exact decimal and ISO currency', (text, hints, amount, currency) => {
    expect(parseMoney(text, hints)).toEqual({ amount, currency });
  });

  it('keeps three decimals for three-decimal currencies', () => {
    expect(parseMoney('1.500 KD').amount).toBe('1.500');
  });

  it('maps local symbols and words to ISO codes', () => {
    expect(parseMoney('171900 руб.').currency).toBe('RUB');
    expect(parseMoney('45,00 zł').currency).toBe('PLN');
    expect(parseMoney('R$ 528,00').currency).toBe('BRL');
    expect(parseMoney('US$:12.99').currency).toBe('USD');
    expect(parseMoney('NZD $100.70').currency).toBe('NZD');
  });

  it('uses the hints to resolve shared symbols', () => {
    expect(parseMoney('$12')).toEqual({ amount: '12', currency: 'USD' });
    expect(parseMoney('$12', { jobCurrency: 'CAD' }).currency).toBe('CAD');
    expect(parseMoney('$12', { lang: 'es-MX' }).currency).toBe('MXN');
    expect(parseMoney('199 kr', { lang: 'sv-SE' }).currency).toBe('SEK');
    expect(parseMoney('199 kr', { lang: 'nb' }).currency).toBe('NOK');
    expect(parseMoney('199 kr', { currencyHint: 'DKK' }).currency).toBe('DKK');
    expect(parseMoney('¥1,200', { lang: 'zh-CN' }).currency).toBe('CNY');
    expect(parseMoney('¥1,200', { lang: 'ja' }).currency).toBe('JPY');
  });

  it('lets the written currency win over a conflicting hint', () => {
    expect(parseMoney('£54.17', { currencyHint: 'USD' }).currency).toBe('GBP');
  });

  it('takes the currency from a hint text when the price text has none', () => {
    expect(parseMoney('899,00', { currencyHint: 'Pris NOK 899,00' })).toEqual({
      amount: '899.00',
      currency: 'NOK',
    });
  });

  it('skips percentages, product codes and sizes', () => {
    expect(parseMoney('40% OFF').amount).toBeNull();
    expect(parseMoney('4GB for $299').amount).toBe('299');
    expect(parseMoney('12x de R$ 44,00').amount).toBe('44.00');
  });

  it('returns null rather than a guess for texts without a price', () => {
    expect(parseMoney('AQUAFINESSE')).toEqual({ amount: null, currency: null });
    expect(parseMoney('15.08.2017').amount).toBeNull();
  });

  it('honours a known decimal separator', () => {
    expect(parseMoney('$..75,333', { decimalSeparator: ',' }).amount).toBe('75.333');
    expect(parseMoney('1250€600', { decimalSeparator: '€' }).amount).toBe('1250.600');
  });

  it('never produces a float-shaped amount for large values', () => {
    expect(parseMoney('PTE 120 000 000').amount).toBe('120000000');
    expect(parseMoney('$ 1.144.000').amount).toBe('1144000');
  });
});
