import { Backoff } from './backoff';
import { href, parseRoute } from './router';

describe('parseRoute', () => {
  it('maps hashes to views and back', () => {
    const id = '5d0f4f0e-8f1b-4a5e-a0a4-3f5b7d2c9e10';
    expect(parseRoute('')).toEqual({ name: 'products' });
    expect(parseRoute('#/')).toEqual({ name: 'products' });
    expect(parseRoute(`#/products/${id}`)).toEqual({ name: 'product', id });
    expect(parseRoute('#/alerts')).toEqual({ name: 'alerts' });
    expect(parseRoute('#/settings/')).toEqual({ name: 'settings' });
    expect(href({ name: 'product', id })).toBe(`#/products/${id}`);
  });

  it('sends anything else to the list, never into a request path', () => {
    expect(parseRoute('#/products/../../api/v1/jobs')).toEqual({ name: 'products' });
    expect(parseRoute('#/products/<img src=x>')).toEqual({ name: 'products' });
    expect(parseRoute('#javascript:alert(1)')).toEqual({ name: 'products' });
  });
});

describe('Backoff', () => {
  const opts = { minMs: 1000, maxMs: 8000, idleFactor: 2, errorFactor: 4 };

  it('slows down while nothing changes and comes back on a change', () => {
    const b = new Backoff(opts);
    expect(b.next('same')).toBe(2000);
    expect(b.next('same')).toBe(4000);
    expect(b.next('same')).toBe(8000);
    expect(b.next('same')).toBe(8000);
    expect(b.next('changed')).toBe(1000);
  });

  it('backs off harder on errors, up to the cap', () => {
    const b = new Backoff(opts);
    expect(b.next('error')).toBe(4000);
    expect(b.next('error')).toBe(8000);
    b.reset();
    expect(b.next('changed')).toBe(1000);
  });
});
