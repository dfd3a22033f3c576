import { parseExact } from './jsonld';

/**
 * State that shops ship to the browser beside the HTML: Next.js `__NEXT_DATA__`, Nuxt / Redux
 * `window.__NUXT__` / `__INITIAL_STATE__` / `__PRELOADED_STATE__`, Shopify's product JSON and
 * analytics meta, and Google Analytics `dataLayer` / `gtag` ecommerce events. All of it is
 * untrusted page text: it is read with JSON.parse or the literal-only reader below (never
 * evaluated), each blob is size-bounded, and walks are bounded in depth and node count.
 * Numbers keep their source text, so an amount never goes through a float.
 */

/** One script worth reading, collected by indexPage. */
export interface StateScript {
  kind: 'next' | 'product-json' | 'js';
  text: string;
}

export interface EmbeddedPrice {
  /** Exact decimal string. */
  amount: string;
  currency: string | null;
  name: string | null;
  /** 'state:next', 'state:nuxt', 'state:shopify', 'state:datalayer', ... */
  from: string;
}

/** Blobs larger than this are not parsed (a whole catalogue, not a product page's state). */
export const MAX_STATE = 1_500_000;
const MAX_DEPTH = 14;
const MAX_NODES = 30_000;

type Value = string | boolean | null | Value[] | { [key: string]: Value };
type Obj = { [key: string]: Value };

function isObj(v: Value | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// A reader for JavaScript object literals (unquoted keys, single quotes, trailing commas). It
// accepts literals only: any identifier other than true/false/null/undefined, any call or
// expression, makes the whole literal unreadable (undefined), so nothing is ever executed.

class Reader {
  i: number;
  nodes = 0;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }
  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 47 && s[this.i + 1] === '/') {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl;
      } else if (c === 47 && s[this.i + 1] === '*') {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) throw new Error('comment');
        this.i = end + 2;
      } else return;
    }
  }
  value(depth: number): Value {
    if (depth > 40 || ++this.nodes > 200_000) throw new Error('too deep');
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string();
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 40));
    if (num) {
      this.i += num[0].length;
      return num[0];
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i, this.i + 20));
    if (word) {
      const w = word[0];
      this.i += w.length;
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null' || w === 'undefined') return null;
    }
    throw new Error('not a literal');
  }
  private object(depth: number): Obj {
    this.i++;
    const out: Obj = Object.create(null) as Obj;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      let key: string;
      const c = this.s[this.i];
      if (c === '"' || c === "'") key = this.string();
      else {
        const m = /^[\w$]+/.exec(this.s.slice(this.i, this.i + 200));
        if (!m) throw new Error('key');
        key = m[0];
        this.i += key.length;
      }
      this.ws();
      if (this.s[this.i] !== ':') throw new Error(':');
      this.i++;
      out[key] = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error(',');
    }
  }
  private array(depth: number): Value[] {
    this.i++;
    const out: Value[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') throw new Error(',');
    }
  }
  private string(): string {
    const q = this.s[this.i++];
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new Error('unterminated');
      const c = this.s[this.i++];
      if (c === q) return out;
      if (c === '\\') {
        const e = this.s[this.i++];
        if (e === 'u') {
          out += String.fromCharCode(Number.parseInt(this.s.slice(this.i, this.i + 4), 16));
          this.i += 4;
        } else out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else out += c;
    }
  }
}

/** The literal that starts at `start` (an object or array), or undefined when it is not one. */
export function readLiteral(text: string, start: number): Value | undefined {
  try {
    return new Reader(text, start).value(0);
  } catch {
    return undefined;
  }
}

/** The literal assigned or passed after `pattern` ("__INITIAL_STATE__ =", "dataLayer.push("). */
function literalsAfter(text: string, pattern: RegExp, max = 20): Value[] {
  const out: Value[] = [];
  const re = new RegExp(pattern.source, 'g');
  for (let m = re.exec(text); m && out.length < max; m = re.exec(text)) {
    let at = m.index + m[0].length;
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text[at] !== '{' && text[at] !== '[') continue;
    const v = readLiteral(text, at);
    if (v !== undefined) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Amounts.

/** A decimal as the page wrote it ("29.99", 29.99 → "29.99"); exponents and junk are refused. */
function decimal(v: Value | undefined): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return /^\d{1,12}(?:\.\d{1,6})?$/.test(t) ? t : null;
}

/** Integer minor units → decimal: ("2999", 2) → "29.99". */
function fromMinor(v: Value | undefined, digits = 2): string | null {
  const t = typeof v === 'string' ? v.trim() : '';
  if (!/^\d{1,15}$/.test(t) || digits < 0 || digits > 4) return null;
  if (digits === 0) return t.replace(/^0+(?=\d)/, '');
  const padded = t.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits).replace(/^0+(?=\d)/, '')}.${padded.slice(-digits)}`;
}

function str(v: Value | undefined): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

const ISO = /^[A-Z]{3}$/;
function iso(v: Value | undefined): string | null {
  const s = str(v)?.toUpperCase() ?? null;
  return s && ISO.test(s) ? s : null;
}

// ---------------------------------------------------------------------------------------------
// Generic application state (Next.js, Nuxt, Redux): the shallowest product-like object.

/** Keys holding the price charged now, best first. */
const PRICE_KEYS = [
  'salePrice',
  'sale_price',
  'finalPrice',
  'final_price',
  'currentPrice',
  'current_price',
  'sellingPrice',
  'selling_price',
  'specialPrice',
  'offerPrice',
  'price',
  'priceValue',
  'prices',
];
const NAME_KEYS = ['name', 'title', 'productName', 'product_name', 'displayName'];
const ID_KEYS = [
  'sku',
  'id',
  'productId',
  'product_id',
  'slug',
  'handle',
  'gtin',
  'ean',
  'variants',
];
/** Branches about other products, or about reviews and navigation. */
const OTHER_BRANCH =
  /related|recommend|similar|upsell|up_sell|crosssell|cross_sell|also|accessor|bundle|recent|carousel|review|compare|suggest|sponsored|bestseller|trending|menu|navigation|footer|header|cart|basket|wishlist|search|listing|category|categories|collection/i;

/** A price field's value: a decimal, or an object with the amount (and maybe the currency). */
function priceOf(
  v: Value | undefined,
  depth = 0,
): { amount: string; currency: string | null } | null {
  const d = decimal(v);
  if (d !== null) return { amount: d, currency: null };
  if (!isObj(v) || depth > 2) return null;
  if (v.centAmount !== undefined) {
    const digits = Number.parseInt(str(v.fractionDigits) ?? '2', 10);
    const amount = fromMinor(v.centAmount, Number.isNaN(digits) ? 2 : digits);
    return amount ? { amount, currency: iso(v.currencyCode) ?? iso(v.currency) } : null;
  }
  for (const k of ['value', 'amount', 'raw', 'current', 'sale', 'final', 'price']) {
    const inner = priceOf(v[k], depth + 1);
    if (inner)
      return {
        amount: inner.amount,
        currency: inner.currency ?? iso(v.currency) ?? iso(v.currencyCode),
      };
  }
  return null;
}

function productLike(o: Obj): EmbeddedPrice | null {
  const name = NAME_KEYS.map((k) => str(o[k])).find((x) => x !== null) ?? null;
  if (name === null || !ID_KEYS.some((k) => o[k] !== undefined)) return null;
  for (const k of PRICE_KEYS) {
    const p = priceOf(o[k]);
    if (p && /[1-9]/.test(p.amount))
      return {
        amount: p.amount,
        currency: p.currency ?? iso(o.currency) ?? iso(o.currencyCode) ?? iso(o.priceCurrency),
        name,
        from: '',
      };
  }
  return null;
}

/** Breadth first, so the page's own product (near the top) wins over lists deeper down. */
function findProduct(root: Value): EmbeddedPrice | null {
  let level: Value[] = [root];
  let nodes = 0;
  for (let depth = 0; depth <= MAX_DEPTH && level.length; depth++) {
    const next: Value[] = [];
    for (const v of level) {
      if (++nodes > MAX_NODES) return null;
      if (Array.isArray(v)) {
        // A list of several priced products is a listing; its first item is not this page.
        if (v.length > 1 && v.filter((x) => isObj(x) && productLike(x)).length > 1) continue;
        next.push(...v.slice(0, 50));
        continue;
      }
      if (!isObj(v)) continue;
      const p = productLike(v);
      if (p) return p;
      for (const [k, child] of Object.entries(v)) {
        if (typeof child !== 'object' || child === null || OTHER_BRANCH.test(k)) continue;
        next.push(child);
      }
    }
    level = next;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Shopify: product JSON (prices in integer cents) and the analytics meta.

function variantParam(url: string | undefined): string | null {
  if (!url) return null;
  return /[?&]variant=(\d{1,20})(?:&|#|$)/.exec(url)?.[1] ?? null;
}

function shopifyAmount(v: Value | undefined): string | null {
  const t = typeof v === 'string' ? v.trim() : '';
  if (/^\d+$/.test(t)) return fromMinor(t, 2);
  return decimal(t);
}

/**
 * The variant the page presents: the one the URL selects, else the first available one (the
 * theme's default), else the first; the product's own price when it lists no variants.
 */
function shopifyProduct(
  p: Obj,
  url: string | undefined,
  currency: string | null,
): EmbeddedPrice | null {
  const variants = (Array.isArray(p.variants) ? p.variants : []).filter(isObj);
  const wanted = variantParam(url);
  const chosen =
    (wanted ? variants.find((v) => str(v.id) === wanted) : undefined) ??
    variants.find((v) => v.available === true) ??
    variants[0];
  const amount = shopifyAmount(chosen?.price) ?? shopifyAmount(p.price);
  if (amount === null || !/[1-9]/.test(amount)) return null;
  return { amount, currency, name: str(p.title) ?? str(p.name), from: 'state:shopify' };
}

function shopifyCurrency(scripts: StateScript[]): string | null {
  for (const s of scripts) {
    if (s.kind !== 'js') continue;
    const m =
      /Shopify\.currency\s*=\s*\{\s*"active"\s*:\s*"([A-Z]{3})"/.exec(s.text) ??
      /ShopifyAnalytics\.meta\.currency\s*=\s*['"]([A-Z]{3})['"]/.exec(s.text) ??
      /"currency"\s*:\s*"([A-Z]{3})"/.exec(s.text.includes('Shopify') ? s.text : '');
    if (m) return m[1];
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Analytics: a product-detail event describes exactly the product on the page.

function fromAnalytics(v: Value): EmbeddedPrice | null {
  if (!isObj(v)) return null;
  const ec = isObj(v.ecommerce) ? v.ecommerce : v.event === 'view_item' ? v : null;
  if (!ec) return null;
  // Universal Analytics: ecommerce.detail.products[0]
  if (isObj(ec.detail) && Array.isArray(ec.detail.products)) {
    const p = ec.detail.products.find(isObj);
    const amount = p ? decimal(p.price) : null;
    if (p && amount && /[1-9]/.test(amount))
      return {
        amount,
        currency: iso(ec.currencyCode) ?? iso(p.currency),
        name: str(p.name),
        from: 'state:datalayer',
      };
  }
  // GA4: { event: 'view_item', ecommerce: { currency, value, items: [one item] } }
  if ((v.event === 'view_item' || ec.event === 'view_item') && Array.isArray(ec.items)) {
    const items = ec.items.filter(isObj);
    if (items.length !== 1) return null;
    const amount = decimal(items[0].price);
    if (amount && /[1-9]/.test(amount))
      return {
        amount,
        currency: iso(ec.currency) ?? iso(items[0].currency),
        name: str(items[0].item_name),
        from: 'state:datalayer',
      };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

const STATE_ASSIGN =
  /(?:window\.|self\.)?(?:__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__NUXT__|__STATE__|__APP_STATE__)\s*=/;

/** Prices the page's embedded state states for its product, most specific first. */
export function extractEmbedded(scripts: StateScript[], url?: string): EmbeddedPrice[] {
  const out: EmbeddedPrice[] = [];
  let shopCurrency: string | null | undefined;
  const currency = (): string | null => (shopCurrency ??= shopifyCurrency(scripts));
  for (const s of scripts) {
    if (s.text.length > MAX_STATE) continue;
    if (s.kind === 'product-json') {
      const v = parseExact(s.text.trim()) as Value | undefined;
      const p = isObj(v) ? (isObj(v.product) ? v.product : v) : null;
      const got = p ? shopifyProduct(p, url, currency()) : null;
      if (got) out.push(got);
      continue;
    }
    if (s.kind === 'next') {
      const v = parseExact(s.text.trim()) as Value | undefined;
      const root = isObj(v) && isObj(v.props) ? v.props : v;
      const got = root !== undefined ? findProduct(root) : null;
      if (got) out.push({ ...got, from: 'state:next' });
      continue;
    }
    const t = s.text;
    if (t.includes('ShopifyAnalytics') || /\bvar meta\s*=/.test(t)) {
      for (const v of literalsAfter(t, /\bvar meta\s*=|ShopifyAnalytics\.meta\s*=/, 2)) {
        if (!isObj(v) || !isObj(v.product)) continue;
        const got = shopifyProduct(v.product, url, iso(v.currency) ?? currency());
        if (got) out.push(got);
      }
    }
    if (STATE_ASSIGN.test(t)) {
      for (const v of literalsAfter(t, STATE_ASSIGN, 3)) {
        const got = findProduct(v);
        if (got) out.push({ ...got, from: t.includes('__NUXT__') ? 'state:nuxt' : 'state:app' });
      }
    }
    if (t.includes('dataLayer') || t.includes('gtag(')) {
      const events = [
        ...literalsAfter(t, /dataLayer\.push\(/),
        ...literalsAfter(t, /gtag\(\s*['"]event['"]\s*,\s*['"]view_item['"]\s*,/).map((v) =>
          isObj(v) ? { event: 'view_item', ecommerce: v } : v,
        ),
      ];
      for (const arr of literalsAfter(t, /\bdataLayer\s*=/, 2))
        if (Array.isArray(arr)) events.push(...arr);
      for (const e of events) {
        const got = fromAnalytics(e);
        if (got) {
          out.push(got);
          break;
        }
      }
    }
  }
  return out;
}
