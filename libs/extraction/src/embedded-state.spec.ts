import { extractEmbedded, readLiteral } from './embedded-state';

describe('embedded shop state (untrusted page text)', () => {
  it('reads object literals but never expressions: a call or a variable makes it unreadable', () => {
    expect(readLiteral("{a: 'x', b: [1, 2.50,], c: null}", 0)).toEqual({
      a: 'x',
      b: ['1', '2.50'],
      c: null,
    });
    expect(readLiteral('{a: alert(1)}', 0)).toBeUndefined();
    expect(readLiteral('{a: someVar}', 0)).toBeUndefined();
    expect(readLiteral('{a: "unterminated', 0)).toBeUndefined();
  });

  it('survives deep nesting and prototype keys without throwing or polluting', () => {
    const deep = 'window.__INITIAL_STATE__ = ' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expect(extractEmbedded([{ kind: 'js', text: deep }])).toEqual([]);
    const proto =
      'window.__INITIAL_STATE__ = {"__proto__": {"polluted": "yes"}, "product": {"sku": "1", "name": "X", "price": "9.99"}};';
    expect(extractEmbedded([{ kind: 'js', text: proto }])[0]).toMatchObject({ amount: '9.99' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps amounts exact and refuses exponents', () => {
    const next = (price: string): string =>
      `{"props":{"pageProps":{"product":{"id":"1","name":"X","price":${price}}}}}`;
    expect(extractEmbedded([{ kind: 'next', text: next('1234567.89') }])[0].amount).toBe(
      '1234567.89',
    );
    expect(extractEmbedded([{ kind: 'next', text: next('1e21') }])).toEqual([]);
  });

  it('ignores a list of priced products (a listing, not this product)', () => {
    const state =
      'window.__INITIAL_STATE__ = {"items": [{"id": 1, "name": "A", "price": "5.00"}, {"id": 2, "name": "B", "price": "6.00"}]};';
    expect(extractEmbedded([{ kind: 'js', text: state }])).toEqual([]);
  });
});
