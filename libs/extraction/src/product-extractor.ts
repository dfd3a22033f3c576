import { isDecimalString } from '@app/jobs-domain';
import { compile } from 'css-select';
import type { Element } from 'domhandler';
import { selectOne } from 'css-select';
import { Availability, availabilityFromText, normaliseAvailability } from './availability';
import { PageIndex, indexPage, textOf, tightTextOf } from './dom';
import { HeuristicPrice, heuristicPrice } from './heuristic';
import { JsonLdOffer, extractJsonLd } from './jsonld';
import { extractMeta } from './meta';
import { extractMicrodata } from './microdata';
import { MoneyHints, parseMoney } from './money-parser';
import { hostOf, profileFor } from './site-profiles';

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
 * these the first offer stands (the one the shop lists first): the lowest price would be the
 * cheapest variant ("from $15"), which is not what a user watching this page is shown.
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
  if (shown) return offers.find((_, i) => sameAmount(amounts[i], shown.amount));
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

/**
 * html → product. Sources in order: site profile, the user's CSS selector, JSON-LD, microdata,
 * OpenGraph/product meta tags, then a conservative heuristic. Each value keeps its source.
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

  const source: ExtractionSource = { price: null, currency: null, availability: null, title: null };
  let price: string | null = null;
  let currency: string | null = null;
  let availability: Availability = null;
  let title: string | null = null;

  const take = (amount: string | null, cur: string | null, from: string): boolean => {
    if (price !== null || !usable(amount)) return false;
    price = amount;
    source.price = from;
    if (cur) {
      currency = cur;
      source.currency = from;
    }
    return true;
  };

  if (profile) {
    const r = profile.extract(page.doc);
    const from = `profile:${profile.name}`;
    if (r.priceText) {
      const m = parseMoney(r.priceText, {
        ...baseHints,
        decimalSeparator: r.decimalSeparator ?? null,
      });
      take(m.amount, m.currency ?? profile.currency, from);
    }
    if (r.title) {
      title = r.title;
      source.title = from;
    }
    if (r.availability) {
      availability = r.availability;
      source.availability = from;
    }
  }

  if (options.selector && options.selector.trim()) {
    const compiled = compileSelector(options.selector.trim());
    if (!compiled) source.selector = 'selector:invalid';
    else {
      const el = selectOne(compiled, page.doc) as Element | null;
      if (el) {
        const a = el.attribs;
        const raw = a.content ?? a['data-price'] ?? a.value ?? tightTextOf(el, 300);
        const m = /^\d+(?:\.\d+)?$/.test(raw.trim())
          ? priceValue(raw, baseHints)
          : parseMoney(textOf(el, 300) || raw, baseHints);
        take(m.amount, m.currency, 'selector');
      }
    }
  }

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

  // Structured data that states the regular price while the meta tags give a different selling
  // price is the pre-sale price left in a template: the sale price is the one charged.
  const isRegularPrice = (amount: string | null): boolean =>
    meta.regularPrice !== null &&
    meta.price !== null &&
    !sameAmount(meta.price, meta.regularPrice) &&
    usable(priceValue(meta.price, hints).amount) &&
    sameAmount(amount, priceValue(meta.regularPrice, hints).amount);

  let visible: HeuristicPrice | null | undefined;
  const visiblePrice = (): HeuristicPrice | null => (visible ??= heuristicPrice(page, hints));
  const variantMarks = [options.url, page.canonical, page.metas.get('og:image')].filter(
    (x): x is string => !!x,
  );

  // JSON-LD: the first priced offer, unless the offers disagree on the price; see chooseOffer.
  for (const p of products) {
    const offers = p.offers.filter((o) => o.price !== null);
    const own = chooseOffer(offers, options.url, variantMarks, visiblePrice, hints);
    for (const o of own ? [own, ...offers] : offers) {
      const v = priceValue(o.price, { ...hints, currencyHint: o.currency ?? hints.currencyHint });
      if (isRegularPrice(v.amount)) continue;
      if (take(v.amount, o.currency ?? v.currency, 'jsonld')) break;
    }
    if (!availability) {
      const a = normaliseAvailability((own ?? p.offers.find((o) => o.availability))?.availability);
      if (a) {
        availability = a;
        source.availability = 'jsonld';
      }
    }
    if (!title && p.name) {
      title = p.name;
      source.title = 'jsonld';
    }
  }

  for (const raw of micro.prices) {
    const v = priceValue(raw, { ...hints, currencyHint: micro.currency ?? hints.currencyHint });
    if (isRegularPrice(v.amount)) continue;
    if (
      take(
        v.amount,
        micro.currency && v.currency === null ? micro.currency : v.currency,
        'microdata',
      )
    )
      break;
  }
  if (!availability && micro.availability) {
    const a = normaliseAvailability(micro.availability);
    if (a) {
      availability = a;
      source.availability = 'microdata';
    }
  }
  if (!title && micro.name) {
    title = micro.name;
    source.title = 'microdata';
  }

  if (meta.price) {
    const v = priceValue(meta.price, {
      ...hints,
      currencyHint: meta.currency ?? hints.currencyHint,
    });
    take(v.amount, v.currency ?? meta.currency, 'meta');
  }
  if (!availability && meta.availability) {
    const a = normaliseAvailability(meta.availability);
    if (a) {
      availability = a;
      source.availability = 'meta';
    }
  }

  if (price === null) {
    const h = visiblePrice();
    if (h) take(h.amount, h.currency, 'heuristic');
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

  if (!availability) {
    for (const el of page.stockElements.slice(0, 20)) {
      const a = availabilityFromText(textOf(el, 300));
      if (a === 'OutOfStock' || a === 'PreOrder') {
        availability = a;
        source.availability = 'text';
        break;
      }
    }
  }

  if (!title && meta.title) {
    title = cleanTitle(meta.title);
    source.title = 'meta';
  }
  if (!title && page.h1) {
    title = textOf(page.h1, 500) || null;
    if (title) source.title = 'h1';
  }
  if (!title && page.title) {
    title = cleanTitle(page.title);
    if (title) source.title = 'title';
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
  };
}
