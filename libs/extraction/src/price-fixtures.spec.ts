import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractProduct } from './product-extractor';

/** Small synthetic pages, one price pattern each (test/fixtures/extraction/price). */
const DIR = resolve(__dirname, '../../../test/fixtures/extraction/price');

interface Expected {
  file: string;
  url?: string;
  price: string | null;
  currency: string | null;
  /** The price source, or its prefix. */
  source?: string;
  /** The page contradicts itself: both amounts are reported and the price is uncertain. */
  uncertain?: string[];
  /** A word the source note must contain (why a markup price was overruled). */
  note?: string;
}

const { pages } = JSON.parse(readFileSync(resolve(DIR, 'expected.json'), 'utf8')) as {
  pages: Expected[];
};

describe('price patterns (synthetic pages)', () => {
  it('has at least 20 pages', () => {
    expect(pages.length).toBeGreaterThanOrEqual(20);
  });

  it.each(pages.map((p) => [p.file, p] as const))('%s', (_file, p) => {
    const html = readFileSync(resolve(DIR, p.file), 'utf8');
    const r = extractProduct(html, { url: p.url ?? `https://shop.example/p/${p.file}` });
    expect({ price: r.price, currency: r.currency }).toEqual({
      price: p.price,
      currency: p.currency,
    });
    if (p.source) expect(r.source.price).toBe(p.source);
    if (p.uncertain) {
      expect(r.priceUncertain?.map((c) => c.price).sort()).toEqual([...p.uncertain].sort());
    } else {
      expect(r.priceUncertain).toBeNull();
    }
    if (p.note) expect(r.source.priceNote).toContain(p.note);
  });
});
