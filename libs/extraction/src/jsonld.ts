import { decodeHTML } from 'entities';

export interface JsonLdOffer {
  /** As written: a decimal string ("1299.99", numbers keep their source text) or a price text. */
  price: string | null;
  currency: string | null;
  availability: string | null;
  url: string | null;
  /** Identifies the variant: compared with the page's URL and og:image to find the one shown. */
  sku: string | null;
  image: string | null;
}

export interface JsonLdProduct {
  name: string | null;
  offers: JsonLdOffer[];
}

type Json = string | null | boolean | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const PRODUCT_TYPES = new Set([
  'product',
  'productgroup',
  'productmodel',
  'individualproduct',
  'someproducts',
  'vehicle',
  'car',
  'motorcycle',
  'book',
]);
/** Prices that are not the selling price. */
const NOT_SELLING = /listprice|strikethrough|msrp|srp|invoice|minimumadvertised/i;
/** Branches that describe other products (related items, reviews, category listings). */
const SKIP_KEYS = new Set([
  'offers',
  'hasVariant',
  'isRelatedTo',
  'isSimilarTo',
  'isAccessoryOrSparePartFor',
  'isConsumableFor',
  'itemListElement',
  'review',
  'reviews',
  'breadcrumb',
  'potentialAction',
]);
const MAX_DEPTH = 12;
const MAX_NODES = 5000;

/**
 * JSON.parse that never turns a number into a float: the reviver's source text (Node 21+) keeps
 * "1299.99" exactly as the page wrote it.
 */
export function parseExact(text: string): Json | undefined {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' ? (context?.source ?? String(value)) : value;
  try {
    return JSON.parse(text, reviver) as Json;
  } catch {
    // Shops hand-write JSON-LD: raw newlines in strings, trailing commas, HTML comments.
    const repaired = text
      .replace(/^\s*(?:<!--|\/\/\s*<!\[CDATA\[)/, '')
      .replace(/(?:-->|\/\/\s*\]\]>)\s*$/, '')
      // eslint-disable-next-line no-control-regex -- raw control characters are what breaks the JSON
      .replace(/[\u0000-\u001f]+/g, ' ')
      .replace(/,\s*([}\]])/g, '$1');
    try {
      return JSON.parse(repaired, reviver) as Json;
    } catch {
      return undefined;
    }
  }
}

function asArray(v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function types(node: JsonObject): string[] {
  return asArray(node['@type'])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.replace(/^.*[/:#]/, '').toLowerCase());
}

function scalar(v: Json | undefined): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (Array.isArray(v)) return scalar(v[0]);
  if (isObject(v)) return scalar(v['@value'] ?? v['@id'] ?? v.name);
  return null;
}

function offerFrom(node: JsonObject, out: JsonLdOffer[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const currency = scalar(node.priceCurrency);
  const availability = scalar(node.availability);
  const url = scalar(node.url);
  const sku = scalar(node.sku) ?? scalar(node.gtin13) ?? scalar(node.gtin) ?? null;
  const image = scalar(node.image);
  const isAggregate = types(node).includes('aggregateoffer');
  let price = isAggregate
    ? (scalar(node.lowPrice) ?? scalar(node.price))
    : (scalar(node.price) ?? scalar(node.lowPrice));
  let specCurrency: string | null = null;
  if (price === null) {
    for (const spec of asArray(node.priceSpecification)) {
      if (!isObject(spec)) continue;
      if (NOT_SELLING.test(scalar(spec.priceType) ?? '')) continue;
      const p = scalar(spec.price) ?? scalar(spec.minPrice);
      if (p !== null) {
        price = p;
        specCurrency = scalar(spec.priceCurrency);
        break;
      }
    }
  }
  if (price !== null)
    out.push({ price, currency: currency ?? specCurrency, availability, url, sku, image });
  else if (isAggregate) {
    for (const o of asArray(node.offers)) if (isObject(o)) offerFrom(o, out, depth + 1);
  }
  if (price === null && availability !== null)
    out.push({ price: null, currency, availability, url, sku, image });
}

function productFrom(node: JsonObject, depth: number): JsonLdProduct {
  const offers: JsonLdOffer[] = [];
  for (const o of asArray(node.offers)) if (isObject(o)) offerFrom(o, offers, depth + 1);
  // A ProductGroup's own offers come first; its variants are the fallback.
  for (const v of asArray(node.hasVariant)) {
    if (!isObject(v) || depth > MAX_DEPTH) continue;
    offers.push(...productFrom(v, depth + 1).offers);
  }
  const name = scalar(node.name);
  return { name: name ? decodeHTML(name).replace(/\s+/g, ' ').trim() : null, offers };
}

/** Products (and loose offers, as a nameless product) found in the page's JSON-LD blocks. */
export function extractJsonLd(blocks: string[]): JsonLdProduct[] {
  const products: JsonLdProduct[] = [];
  const looseOffers: JsonLdOffer[] = [];
  let visited = 0;
  const visit = (v: Json | undefined, depth: number): void => {
    if (depth > MAX_DEPTH || ++visited > MAX_NODES) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    if (!isObject(v)) return;
    const t = types(v);
    if (t.some((x) => PRODUCT_TYPES.has(x))) {
      products.push(productFrom(v, depth));
      return;
    }
    if (t.includes('offer') || t.includes('aggregateoffer')) {
      offerFrom(v, looseOffers, depth);
      return;
    }
    for (const [key, child] of Object.entries(v)) {
      if (SKIP_KEYS.has(key) || typeof child !== 'object' || child === null) continue;
      visit(child, depth + 1);
    }
  };
  for (const block of blocks) {
    const parsed = parseExact(block.trim());
    if (parsed !== undefined) visit(parsed, 0);
  }
  if (looseOffers.length) products.push({ name: null, offers: looseOffers });
  return products;
}
