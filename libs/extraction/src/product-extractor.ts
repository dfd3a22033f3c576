import { compareDecimal, isDecimalString } from '@app/jobs-domain';
import { compile } from 'css-select';
import type { Element } from 'domhandler';
import { selectOne } from 'css-select';
import { Availability, normaliseAvailability } from './availability';
import { PageIndex, indexPage, textOf, tightTextOf } from './dom';
import { HeuristicPrice, PriceBox, readPriceBox } from './heuristic';
import { JsonLdOffer, JsonLdProduct, extractJsonLd } from './jsonld';
import { MetaProduct, extractMeta } from './meta';
import { MicrodataProduct, extractMicrodata } from './microdata';
import { ZERO_DECIMAL_CURRENCIES } from './currency';
import { EmbeddedPrice, extractEmbedded } from './embedded-state';
import { MoneyHints, parseMoney } from './money-parser';
import { AvailabilityReading, productAvailability } from './product-availability';
import { SiteProfile, hostOf, profileFor } from './site-profiles';

export interface ExtractOptions {
  url?: string;
  selector?: string;
  currencyHint?: string | null;
  jobCurrency?: string | null;
}

export interface ExtractionSource {
  /** 'profile:amazon', 'selector', 'jsonld', 'microdata', 'meta', 'heuristic'. */
  price: string | null;
  currency?: string | null;
  availability?: string | null;
  title?: string | null;
  /** 'selector:invalid' when the user's selector could not be compiled (it is then ignored). */
  selector?: string | null;
  /**
   * Why the price is the one taken when the page's sources disagreed ("markup 24.99 and the buy
   * box 24990 differ by 10^3: ..."), or why it is uncertain. Absent when they agreed.
   */
  priceNote?: string;
}

/** One of the amounts a page states for its price, with where it was read. */
export interface PriceCandidateOut {
  price: string;
  currency: string | null;
  source: string;
}

export interface ExtractionResult {
  price: string | null;
  currency: string | null;
  availability: Availability;
  title: string | null;
  source: ExtractionSource;
  /** The site profile says JavaScript is required, or the page is an obvious JavaScript shell. */
  needsJavaScript: boolean;
  /** A captcha or bot wall instead of the page. */
  blocked: boolean;
  /** `<html lang>`. */
  lang: string | null;
  /**
   * Set when the page's sources disagree on the price beyond the rules that settle it (the
   * markup and the visible buy box state different amounts, neither struck through, neither a
   * scaling of the other): `price` is then the markup's, and these are the candidates. A
   * tracker must not alert on an uncertain price.
   */
  priceUncertain: PriceCandidateOut[] | null;
}

const MAX_SELECTOR = 500;
const BLOCKED_TITLE =
  /robot check|captcha|attention required|just a moment|access denied|are you a (?:robot|human)|pardon our interruption|security check|verify you are human|bot verification|request blocked/i;

type Compiled = ReturnType<typeof compile>;
const selectorCache = new Map<string, Compiled | null>();

/** User selectors are untrusted: compile once, cache, and treat failures as "no selector". */
function compileSelector(selector: string): Compiled | null {
  if (selectorCache.has(selector)) return selectorCache.get(selector)!;
  let compiled: Compiled | null = null;
  try {
    if (selector.length <= MAX_SELECTOR) compiled = compile(selector);
  } catch {
    compiled = null;
  }
  if (selectorCache.size > 1000) selectorCache.clear();
  selectorCache.set(selector, compiled);
  return compiled;
}

/** A price that is a plain decimal is taken as written; anything else goes through the parser. */
function priceValue(
  raw: string | null,
  hints: MoneyHints,
): { amount: string | null; currency: string | null } {
  if (raw === null) return { amount: null, currency: null };
  const t = raw.trim();
  // "24.990" for a currency without cents is twenty-four thousand: shops in dot-thousands
  // locales (Chile, Colombia, Hungary, Iceland...) write their markup as they write their text.
  const hint = hints.currencyHint?.toUpperCase() ?? null;
  if (/^\d{1,3}(?:\.\d{3})+$/.test(t) && hint !== null && ZERO_DECIMAL_CURRENCIES.has(hint))
    return { amount: t.replace(/\./g, '').replace(/^0+(?=\d)/, ''), currency: null };
  if (/^\d+(?:\.\d+)?$/.test(t)) {
    const amount = t.replace(/^0+(?=\d)/, '');
    return { amount, currency: null };
  }
  return parseMoney(t, hints);
}

/** Zero is what shops put in markup when the real price is elsewhere (or on request). */
function usable(amount: string | null): amount is string {
  return amount !== null && isDecimalString(amount) && /[1-9]/.test(amount);
}

/** "32.0" and "32.00" are the same amount; compared on digits, never through floats. */
function sameAmount(a: string | null, b: string | null): boolean {
  const norm = (x: string | null): string | null =>
    x === null ? null : x.includes('.') ? x.replace(/\.?0+$/, '') : x;
  return a !== null && b !== null && norm(a) === norm(b);
}

/**
 * When a product's offers disagree on the price (sizes, colours, sellers), the one to track is the
 * offer for the variant the page shows: the offer for this URL, else the offer whose SKU or image
 * the page's URL or og:image names, else the offer whose price the buy box shows. Without any of
 * these, when every offer states its stock, the lowest in-stock offer is the one a shopper can
 * buy for the least (sold-out variants are not for sale); otherwise the first offer stands (the
 * one the shop lists first and shows by default).
 */
function chooseOffer(
  offers: JsonLdOffer[],
  url: string | undefined,
  marks: string[],
  visiblePrice: () => HeuristicPrice | null,
  hints: MoneyHints,
): JsonLdOffer | undefined {
  if (offers.length < 2) return undefined;
  if (url) {
    const own = offers.find((o) => o.url === url);
    if (own) return own;
  }
  const amounts = offers.map((o) => priceValue(o.price, hints).amount);
  if (amounts.every((a) => sameAmount(a, amounts[0]))) return undefined;
  const named = offers.filter((o) => {
    const sku = o.sku && /^[\w-]{5,}$/.test(o.sku) ? o.sku : null;
    const image = o.image?.replace(/^.*\//, '').replace(/\.\w+$/, '') || null;
    return marks.some(
      (m) =>
        (sku !== null && new RegExp(`(?<![\\w])[a-z]?${sku}(?![\\w])`, 'i').test(m)) ||
        (image !== null && image.length >= 5 && m.includes(image)),
    );
  });
  if (named.length === 1) return named[0];
  const shown = visiblePrice();
  if (shown) {
    const match = offers.find((_, i) => sameAmount(amounts[i], shown.amount));
    if (match) return match;
  }
  const stock = offers.map((o) => normaliseAvailability(o.availability));
  if (stock.every((a) => a !== null) && stock.some((a) => a !== 'InStock')) {
    let best = -1;
    for (let i = 0; i < offers.length; i++) {
      const a = amounts[i];
      if (stock[i] !== 'InStock' || !usable(a)) continue;
      if (best < 0 || compareDecimal(a, amounts[best]!) < 0) best = i;
    }
    if (best >= 0) return offers[best];
  }
  return undefined;
}

const TITLE_SEPARATORS = /\s+[|–—-]\s+|\s+[|:]\s+|\s+·\s+/;

/** "Blazer | Ann Taylor" → "Blazer"; "Amazon.com : Camcorder" → "Camcorder". */
export function cleanTitle(raw: string | null): string | null {
  if (!raw) return null;
  let t = raw.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  for (let i = 0; i < 3; i++) {
    const parts = t.split(TITLE_SEPARATORS);
    if (parts.length < 2) break;
    const head = parts[0];
    const tail = parts[parts.length - 1];
    if (
      /\.[a-z]{2,3}\b/i.test(head) &&
      head.length <= 30 &&
      parts.slice(1).join(' ').length > head.length
    ) {
      t = t.slice(t.indexOf(parts[1], head.length));
    } else if (tail.length <= 30 && t.length - tail.length > tail.length) {
      t = t.slice(0, t.lastIndexOf(tail)).replace(/\s*[|–—:·-]\s*$/, '');
    } else break;
  }
  return t.trim() || null;
}

function isJsShell(page: PageIndex): boolean {
  return (
    (page.visibleText < 300 && page.scriptCount > 0) || (page.noscriptJs && page.visibleText < 1500)
  );
}

function isBlocked(page: PageIndex): boolean {
  if (page.title && BLOCKED_TITLE.test(page.title)) return true;
  // A captcha widget on a full product page is a review form; on a near-empty page it is a wall.
  return page.captchaMarker && page.visibleText < 3000;
}

/** One price a source offers, with the currency it states (or null). */
interface PriceCandidate {
  amount: string | null;
  currency: string | null;
  /** Overrides the source's name (embedded state says which kind of state it read). */
  from?: string;
}

/** What one source says about the page; a field it says nothing about is left out. */
interface SourceFields {
  /** In the source's own order of preference: the first usable one is taken. */
  prices?: PriceCandidate[];
  availability?: Availability;
  title?: string | null;
}

type Field = 'price' | 'availability' | 'title';

/** Everything the sources share, computed once per page; the costly parts lazily. */
interface SourceContext {
  page: PageIndex;
  options: ExtractOptions;
  profile: SiteProfile | null;
  /** Hints for sources read before the page's own structured data (profile, selector). */
  baseHints: MoneyHints;
  /** baseHints plus the currency the page's structured data declares. */
  hints: MoneyHints;
  products: JsonLdProduct[];
  micro: MicrodataProduct;
  meta: MetaProduct;
  declaredCurrency: string | null;
  /** The buy box read from the visible page (heuristic.ts); computed at most once. */
  buyBox(): PriceBox;
  visiblePrice(): HeuristicPrice | null;
  /** Markup availability checked against the buy box (product-availability.ts); at most once. */
  stock(): AvailabilityReading;
  /** The shop's embedded state (embedded-state.ts); parsed at most once, only when read. */
  embedded(): EmbeddedPrice[];
}

/**
 * A source of product fields. `fields` says which fields it can give, so a source is read only
 * while one of them is still missing (the buy-box heuristic costs more than the markup readers).
 */
interface Source {
  name: string | ((ctx: SourceContext) => string);
  fields: readonly Field[];
  read(ctx: SourceContext): SourceFields;
}

/**
 * Structured data that states the regular price while the meta tags give a different selling
 * price is the pre-sale price left in a template: the sale price is the one charged.
 */
function isRegularPrice(ctx: SourceContext, amount: string | null): boolean {
  const { meta, hints } = ctx;
  return (
    meta.regularPrice !== null &&
    meta.price !== null &&
    !sameAmount(meta.price, meta.regularPrice) &&
    usable(priceValue(meta.price, hints).amount) &&
    sameAmount(amount, priceValue(meta.regularPrice, hints).amount)
  );
}

function fromProfile(ctx: SourceContext): SourceFields {
  const profile = ctx.profile!;
  const r = profile.extract(ctx.page.doc);
  const out: SourceFields = { availability: r.availability, title: r.title };
  if (r.priceText) {
    const m = parseMoney(r.priceText, {
      ...ctx.baseHints,
      decimalSeparator: r.decimalSeparator ?? null,
    });
    out.prices = [{ amount: m.amount, currency: m.currency ?? profile.currency }];
  }
  return out;
}

function fromSelector(ctx: SourceContext): SourceFields {
  const compiled = compileSelector(ctx.options.selector!.trim());
  if (!compiled) return {};
  const el = selectOne(compiled, ctx.page.doc) as Element | null;
  if (!el) return {};
  const a = el.attribs;
  const raw = a.content ?? a['data-price'] ?? a.value ?? tightTextOf(el, 300);
  const m = /^\d+(?:\.\d+)?$/.test(raw.trim())
    ? priceValue(raw, ctx.baseHints)
    : parseMoney(textOf(el, 300) || raw, ctx.baseHints);
  return { prices: [{ amount: m.amount, currency: m.currency }] };
}

/** JSON-LD: the first priced offer, unless the offers disagree on the price; see chooseOffer. */
function fromJsonLd(ctx: SourceContext): SourceFields {
  const { options, page, hints } = ctx;
  const variantMarks = [options.url, page.canonical, page.metas.get('og:image')].filter(
    (x): x is string => !!x,
  );
  const prices: PriceCandidate[] = [];
  let title: string | null = null;
  for (const p of ctx.products) {
    const offers = p.offers.filter((o) => o.price !== null);
    const own = chooseOffer(offers, options.url, variantMarks, ctx.visiblePrice, hints);
    for (const o of own ? [own, ...offers] : offers) {
      const v = priceValue(o.price, { ...hints, currencyHint: o.currency ?? hints.currencyHint });
      if (isRegularPrice(ctx, v.amount)) continue;
      prices.push({ amount: v.amount, currency: o.currency ?? v.currency });
    }
    title ||= p.name || null;
  }
  return { prices, title };
}

function fromMicrodata(ctx: SourceContext): SourceFields {
  const { micro, hints } = ctx;
  const prices: PriceCandidate[] = [];
  for (const raw of micro.prices) {
    const v = priceValue(raw, { ...hints, currencyHint: micro.currency ?? hints.currencyHint });
    if (isRegularPrice(ctx, v.amount)) continue;
    prices.push({
      amount: v.amount,
      currency: micro.currency && v.currency === null ? micro.currency : v.currency,
    });
  }
  return { prices, title: micro.name || null };
}

function fromMeta(ctx: SourceContext): SourceFields {
  const { meta, hints } = ctx;
  const out: SourceFields = { title: meta.title ? cleanTitle(meta.title) : null };
  if (meta.price) {
    const v = priceValue(meta.price, {
      ...hints,
      currencyHint: meta.currency ?? hints.currencyHint,
    });
    out.prices = [{ amount: v.amount, currency: v.currency ?? meta.currency }];
  }
  return out;
}

function fromEmbedded(ctx: SourceContext): SourceFields {
  return {
    prices: ctx.embedded().map((e) => {
      const v = priceValue(e.amount, {
        ...ctx.hints,
        currencyHint: e.currency ?? ctx.hints.currencyHint,
      });
      return { amount: v.amount, currency: e.currency, from: e.from };
    }),
  };
}

function fromBuyBox(ctx: SourceContext): SourceFields {
  const h = ctx.visiblePrice();
  return h ? { prices: [{ amount: h.amount, currency: h.currency }] } : {};
}

/** Sources read from the page's markup or state, checked against the visible buy box. */
const MARKUP = /^(?:jsonld|microdata|meta|state:)/;

/** Digits of a decimal without its point and outer zeros: the "shape" of 24.99 and 2499 is 2499. */
function digitsOf(x: string): string {
  return x.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
}

/** 10^n between two amounts with the same digits (24.99 vs 24990 → 3), or 0. */
function powerOfTen(a: string, b: string): number {
  if (digitsOf(a) !== digitsOf(b) || digitsOf(a) === '') return 0;
  const magnitude = (x: string): number => {
    const [int, frac = ''] = x.split('.');
    const i = int.replace(/^0+/, '');
    return i.length ? i.length : -(frac.length - frac.replace(/^0+/, '').length);
  };
  return magnitude(b) - magnitude(a);
}

interface Reconciled {
  take?: PriceCandidate & { amount: string };
  note?: string;
  uncertain: PriceCandidateOut[] | null;
}

/**
 * The markup's price against the visible buy box. The shopper pays what the buy box shows, so:
 * agreement, or the markup amount shown elsewhere on the page as a current price, keeps the
 * markup; a markup amount that is the buy box's struck-through price, or a scaling of it by 10^n
 * (minor units, dot-thousands misread), yields to the buy box; another markup source that agrees
 * with the buy box wins. Anything else is uncertain.
 */
function reconcile(
  ctx: SourceContext,
  taken: { amount: string; currency: string | null; from: string },
): Reconciled {
  const box = ctx.buyBox();
  const shown = box.price;
  if (!shown || sameAmount(shown.amount, taken.amount)) return { uncertain: null };
  const visible = (a: string): boolean => sameAmount(a, taken.amount);
  if (box.shown.some(visible) || box.mentioned.some(visible)) return { uncertain: null };
  if (shown.currency && taken.currency && shown.currency !== taken.currency)
    return { uncertain: null };
  const n = powerOfTen(taken.amount, shown.amount);
  if (n !== 0)
    return {
      take: { ...shown, from: 'heuristic' },
      note: `${taken.from} states ${taken.amount} and the buy box ${shown.amount}, 10^${n} apart: the buy box is taken (the amount the shopper reads; markup in minor units or a dot-thousands amount read as decimals)`,
      uncertain: null,
    };
  for (const s of SOURCES) {
    if (typeof s.name !== 'string' || !MARKUP.test(s.name) || s.name === 'heuristic') continue;
    for (const c of s.read(ctx).prices ?? []) {
      if (usable(c.amount) && sameAmount(c.amount, shown.amount))
        return {
          take: { ...c, amount: c.amount, from: c.from ?? s.name },
          note: `${taken.from} states ${taken.amount}; ${c.from ?? s.name} states ${c.amount} as the buy box does, so it is taken`,
          uncertain: null,
        };
    }
  }
  // Only the buy box right under the title can overrule the markup; prices further down may be
  // other products' (bundles, "frequently bought together") that no section name gives away.
  if (!box.nearTitle) return { uncertain: null };
  if (box.old.some((a) => sameAmount(a, taken.amount)))
    return {
      take: { ...shown, from: 'heuristic' },
      note: `${taken.from} states ${taken.amount}, which the page shows struck through; the buy box's ${shown.amount} is taken`,
      uncertain: null,
    };
  // Neither rule settles it: the buy box under the title is what the shopper reads, so it is
  // the answer, but the page contradicts itself and a tracker must not alert on it.
  return {
    take: { ...shown, from: 'heuristic' },
    note: `uncertain: ${taken.from} states ${taken.amount}, which the page shows nowhere; the buy box under the title shows ${shown.amount}, which is taken`,
    uncertain: [
      { price: taken.amount, currency: taken.currency, source: taken.from },
      { price: shown.amount, currency: shown.currency, source: 'heuristic' },
    ],
  };
}

/**
 * The precedence table: for each field, the first source (top to bottom) that gives a usable
 * value wins, and its name is recorded in `source`. A source that gives nothing for a field
 * leaves it to the sources below.
 */
const SOURCES: readonly Source[] = [
  {
    name: (ctx) => `profile:${ctx.profile!.name}`,
    fields: ['price', 'availability', 'title'],
    read: (ctx) => (ctx.profile ? fromProfile(ctx) : {}),
  },
  {
    name: 'selector',
    fields: ['price'],
    read: (ctx) => (ctx.options.selector?.trim() ? fromSelector(ctx) : {}),
  },
  // Availability: JSON-LD (every variant's offer), microdata, meta, checked against the buy box
  // a shopper sees; the reading names the source that decided.
  {
    name: (ctx) => ctx.stock().source ?? 'buybox',
    fields: ['availability'],
    read: (ctx) => ({ availability: ctx.stock().availability }),
  },
  { name: 'jsonld', fields: ['price', 'title'], read: fromJsonLd },
  { name: 'microdata', fields: ['price', 'title'], read: fromMicrodata },
  { name: 'state', fields: ['price'], read: fromEmbedded },
  { name: 'meta', fields: ['price', 'title'], read: fromMeta },
  { name: 'heuristic', fields: ['price'], read: fromBuyBox },
  {
    name: 'h1',
    fields: ['title'],
    read: (ctx) => ({ title: ctx.page.h1 ? textOf(ctx.page.h1, 500) || null : null }),
  },
  { name: 'title', fields: ['title'], read: (ctx) => ({ title: cleanTitle(ctx.page.title) }) },
];

/**
 * html → product. Each field is filled from the first source in SOURCES that has it (site
 * profile, the user's CSS selector, JSON-LD, microdata, OpenGraph/product meta tags, the visible
 * buy box, ...); each value keeps its source.
 */
export function extractProduct(html: string, options: ExtractOptions = {}): ExtractionResult {
  const page = indexPage(html ?? '');
  const host = hostOf(options.url) ?? hostOf(page.canonical) ?? hostOf(page.metas.get('og:url'));
  const profile = profileFor(host);
  const lang = page.lang;
  const baseHints: MoneyHints = {
    lang: lang ?? profile?.lang ?? null,
    jobCurrency: options.jobCurrency ?? null,
    currencyHint: options.currencyHint ?? profile?.currency ?? null,
  };

  const products = extractJsonLd(page.jsonLd);
  const micro = extractMicrodata(page);
  const meta = extractMeta(page);
  const declaredCurrency = (() => {
    for (const p of products) for (const o of p.offers) if (o.currency) return o.currency;
    return micro.currency ?? meta.currency;
  })();
  const hints: MoneyHints = {
    ...baseHints,
    currencyHint: baseHints.currencyHint ?? declaredCurrency,
  };
  let box: PriceBox | undefined;
  let embedded: EmbeddedPrice[] | undefined;
  let stock: AvailabilityReading | undefined;
  const ctx: SourceContext = {
    page,
    options,
    profile: profile ?? null,
    baseHints,
    hints,
    products,
    micro,
    meta,
    declaredCurrency: declaredCurrency ?? null,
    buyBox: () => (box ??= readPriceBox(page, hints)),
    visiblePrice: () => ctx.buyBox().price,
    embedded: () => (embedded ??= extractEmbedded(page.stateScripts, options.url)),
    stock: () => (stock ??= productAvailability(page, products, meta.availability)),
  };

  const source: ExtractionSource = { price: null, currency: null, availability: null, title: null };
  let price: string | null = null;
  let currency: string | null = null;
  let availability: Availability = null;
  let title: string | null = null;

  if (options.selector?.trim() && !compileSelector(options.selector.trim()))
    source.selector = 'selector:invalid';

  for (const s of SOURCES) {
    const missing = s.fields.some((f) =>
      f === 'price' ? price === null : f === 'availability' ? !availability : !title,
    );
    if (!missing) continue;
    const got = s.read(ctx);
    const name = typeof s.name === 'string' ? s.name : null;
    const from = (): string => name ?? (s.name as (c: SourceContext) => string)(ctx);
    if (price === null && got.prices) {
      const c = got.prices.find((p) => usable(p.amount));
      if (c) {
        price = c.amount;
        source.price = c.from ?? from();
        if (c.currency) {
          currency = c.currency;
          source.currency = source.price;
        }
      }
    }
    if (!availability && got.availability) {
      availability = got.availability;
      source.availability = from();
    }
    if (!title && got.title) {
      title = got.title;
      source.title = from();
    }
  }

  let priceUncertain: PriceCandidateOut[] | null = null;
  if (price !== null && source.price !== null && MARKUP.test(source.price)) {
    const r = reconcile(ctx, { amount: price, currency, from: source.price });
    if (r.take) {
      price = r.take.amount;
      source.price = r.take.from ?? 'heuristic';
      if (r.take.currency) {
        currency = r.take.currency;
        source.currency = source.price;
      }
    }
    if (r.note) source.priceNote = r.note;
    priceUncertain = r.uncertain;
  }

  // A price without a written currency takes the page's declared one, then the hints'.
  if (price !== null && currency === null) {
    const fallback = declaredCurrency ?? options.currencyHint ?? profile?.currency ?? null;
    const resolved = fallback
      ? parseMoney('', { ...hints, currencyHint: fallback }).currency
      : null;
    if (resolved) {
      currency = resolved;
      source.currency = declaredCurrency ? 'declared' : 'hint';
    }
  }

  const blocked = isBlocked(page);
  return {
    price,
    currency,
    availability,
    title,
    source,
    needsJavaScript:
      (profile?.needsJavaScript ?? false) || (price === null && !blocked && isJsShell(page)),
    blocked,
    lang,
    priceUncertain,
  };
}
