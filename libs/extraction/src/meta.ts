import { PageIndex } from './dom';

export interface MetaProduct {
  price: string | null;
  currency: string | null;
  availability: string | null;
  title: string | null;
  /** The regular (pre-sale) price the page declares beside its selling price. */
  regularPrice: string | null;
}

function pick(metas: Map<string, string>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = metas.get(k)?.trim();
    if (v) return v;
  }
  return null;
}

/** OpenGraph / Facebook product tags and their common variants. */
export function extractMeta(page: PageIndex): MetaProduct {
  const m = page.metas;
  return {
    price: pick(m, [
      'product:price:amount',
      'og:price:amount',
      'product:sale_price:amount',
      'product:price',
      'og:price',
    ]),
    currency: pick(m, [
      'product:price:currency',
      'og:price:currency',
      'product:sale_price:currency',
    ]),
    availability: pick(m, ['product:availability', 'og:availability']),
    title: pick(m, ['og:title', 'twitter:title']),
    regularPrice: pick(m, [
      'og:price:standard_amount',
      'product:price:standard_amount',
      'product:original_price:amount',
      'og:original_price:amount',
    ]),
  };
}
