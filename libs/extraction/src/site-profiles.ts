import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Document, Element } from 'domhandler';
import { Availability, availabilityFromText } from './availability';
import { attr, textOf, tightTextOf } from './dom';

/** What a site profile reads from a page; raw texts, parsed by the extractor. */
export interface ProfileResult {
  priceText: string | null;
  /** Set when the profile knows the separator (e.g. a split integer/decimal markup). */
  decimalSeparator?: string | null;
  title: string | null;
  availability: Availability;
}

export interface SiteProfile {
  name: string;
  /** The site renders prices client-side: fetch it with the browser straight away. */
  needsJavaScript: boolean;
  /** The shop's currency on this host, a hint for "$" and other shared symbols. */
  currency: string | null;
  lang: string | null;
  extract(doc: Document): ProfileResult;
}

function first(doc: Document, selectors: readonly string[]): Element | null {
  for (const s of selectors) {
    const el = selectOne<AnyNode, Element>(s, doc);
    if (el) return el;
  }
  return null;
}

const AMAZON_HOST =
  /(?:^|\.)amazon\.(com|ca|com\.mx|com\.br|co\.uk|de|fr|es|it|nl|se|pl|com\.be|com\.tr|ae|sa|sg|in|co\.jp|com\.au|eg|ie|cn|co\.za)$/i;

const AMAZON_MARKET: Record<string, [string, string]> = {
  com: ['USD', 'en-US'], ca: ['CAD', 'en-CA'], 'com.mx': ['MXN', 'es-MX'], 'com.br': ['BRL', 'pt-BR'],
  'co.uk': ['GBP', 'en-GB'], de: ['EUR', 'de-DE'], fr: ['EUR', 'fr-FR'], es: ['EUR', 'es-ES'],
  it: ['EUR', 'it-IT'], nl: ['EUR', 'nl-NL'], se: ['SEK', 'sv-SE'], pl: ['PLN', 'pl-PL'],
  'com.be': ['EUR', 'fr-BE'], 'com.tr': ['TRY', 'tr-TR'], ae: ['AED', 'en-AE'], sa: ['SAR', 'ar-SA'],
  sg: ['SGD', 'en-SG'], in: ['INR', 'en-IN'], 'co.jp': ['JPY', 'ja-JP'], 'com.au': ['AUD', 'en-AU'],
  eg: ['EGP', 'ar-EG'], ie: ['EUR', 'en-IE'], cn: ['CNY', 'zh-CN'], 'co.za': ['ZAR', 'en-ZA'],
}; // prettier-ignore

/** The buy box first; a bare ".a-price" is only trusted inside the product column. */
const AMAZON_PRICE = [
  '#corePrice_feature_div .a-price:not(.a-text-price) .a-offscreen',
  '#corePriceDisplay_desktop_feature_div .priceToPay .a-offscreen',
  '#corePriceDisplay_desktop_feature_div .a-price:not(.a-text-price) .a-offscreen',
  '#corePrice_desktop .a-price:not(.a-text-price) .a-offscreen',
  '#apex_desktop .a-price:not(.a-text-price) .a-offscreen',
  '#priceblock_dealprice',
  '#priceblock_ourprice',
  '#priceblock_saleprice',
  '#price_inside_buybox',
  '#newBuyBoxPrice',
  '#buybox .a-price:not(.a-text-price) .a-offscreen',
  '#tp_price_block_total_price_ww .a-offscreen',
  '#centerCol .a-price:not(.a-text-price) .a-offscreen',
  '#kindle-price',
  '#price',
];

function amazonPrice(doc: Document): string | null {
  for (const s of AMAZON_PRICE) {
    for (const el of selectAll<AnyNode, Element>(s, doc).slice(0, 3)) {
      const t = textOf(el, 100);
      if (/\d/.test(t)) return t;
      // A blank .a-offscreen: the visible whole/fraction parts carry the price.
      const box = el.parent as Element | null;
      const whole = box ? selectOne<AnyNode, Element>('.a-price-whole', box) : null;
      if (whole) {
        const frac = box ? selectOne<AnyNode, Element>('.a-price-fraction', box) : null;
        const sym = box ? selectOne<AnyNode, Element>('.a-price-symbol', box) : null;
        return `${sym ? textOf(sym, 10) : ''}${tightTextOf(whole).replace(/[.,]$/, '')}.${frac ? textOf(frac, 10) : '00'}`;
      }
    }
  }
  return null;
}

function amazon(host: string): SiteProfile {
  const tld = AMAZON_HOST.exec(host)?.[1]?.toLowerCase() ?? 'com';
  const [currency, lang] = AMAZON_MARKET[tld] ?? [null, null];
  return {
    name: 'amazon',
    needsJavaScript: false,
    currency,
    lang,
    extract(doc) {
      const titleEl = first(doc, ['#productTitle', '#ebooksProductTitle', '#title']);
      let availability: Availability = null;
      const avail = first(doc, ['#availability', '#outOfStock', '#availability_feature_div']);
      if (avail) availability = availabilityFromText(textOf(avail, 300));
      if (!availability && selectOne<AnyNode, Element>('#outOfStock', doc))
        availability = 'OutOfStock';
      return {
        priceText: amazonPrice(doc),
        title: titleEl ? textOf(titleEl, 500) || null : null,
        availability,
      };
    },
  };
}

const PCC_HOST = /(?:^|\.)pccomponentes\.(com|pt|fr|it)$/i;
const PCC_MARKET: Record<string, string> = { com: 'es-ES', pt: 'pt-PT', fr: 'fr-FR', it: 'it-IT' };

/**
 * PCComponentes writes European prices, sometimes split: an integer part ("1.299") and a
 * decimal part (",99") in sibling elements, or a machine value in data-price.
 */
function pccPrice(doc: Document): { text: string | null; decimalSeparator?: string } {
  const data = first(doc, [
    '#precio-main[data-price]',
    '[data-price].precioMain',
    '#pdp-price-current-integer[data-price]',
  ]);
  const dp = data ? attr(data, 'data-price') : undefined;
  if (dp && /^\d+(?:\.\d+)?$/.test(dp.trim())) return { text: dp.trim(), decimalSeparator: '.' };
  const whole = first(doc, [
    '#precio-main .baseprice',
    '.precioMain .baseprice',
    '.baseprice',
    '#pdp-price-current-integer',
  ]);
  if (whole) {
    // The decimals element is a sibling of the integer element or, in newer markup, inside it;
    // only the integer element's own text nodes are the integer part, so they are never counted
    // twice ("1.299<span>,99</span> €" must not read as "1.299,99" + ",99").
    const ownText = whole.children
      .map((c) => (c.type === 'text' ? (c as unknown as { data: string }).data : ''))
      .join('');
    const wholeText = ownText.trim() ? ownText : tightTextOf(whole);
    const centsEl =
      selectOne<AnyNode, Element>('.cents, #pdp-price-current-decimals', whole) ??
      (whole.parent
        ? selectOne<AnyNode, Element>(
            '.cents, #pdp-price-current-decimals',
            whole.parent as Element,
          )
        : null);
    const cents = centsEl ? tightTextOf(centsEl).replace(/[^\d]/g, '') : '';
    const symbol = /€/.test(textOf(whole.parent as Element, 100)) ? ' €' : '';
    if (cents)
      return {
        text: `${wholeText.replace(/[^\d.]/g, '')},${cents}${symbol}`,
        decimalSeparator: ',',
      };
    return { text: wholeText + (wholeText.includes('€') ? '' : symbol), decimalSeparator: ',' };
  }
  const any = first(doc, [
    '#precio-main',
    '.precioMain',
    '#pdp-price-current-container',
    '[data-e2e="price-card"]',
  ]);
  return { text: any ? tightTextOf(any) : null, decimalSeparator: ',' };
}

function pccomponentes(host: string): SiteProfile {
  const tld = PCC_HOST.exec(host)?.[1]?.toLowerCase() ?? 'com';
  return {
    name: 'pccomponentes',
    needsJavaScript: false,
    currency: 'EUR',
    lang: PCC_MARKET[tld] ?? 'es-ES',
    extract(doc) {
      const price = pccPrice(doc);
      const titleEl = first(doc, ['#pdp-title', 'h1.h4', '.ficha-producto__encabezado h1', 'h1']);
      const stock = first(doc, [
        '#pdp-availability',
        '#disponibilidad',
        '.disponibilidad',
        '#btnsWishAddBuy',
      ]);
      return {
        priceText: price.text,
        decimalSeparator: price.decimalSeparator ?? null,
        title: titleEl ? textOf(titleEl, 500) || null : null,
        availability: stock ? availabilityFromText(textOf(stock, 300)) : null,
      };
    },
  };
}

/** The profile for a host, if the site has one. */
export function profileFor(host: string | null): SiteProfile | null {
  if (!host) return null;
  const h = host.toLowerCase().replace(/\.$/, '');
  if (AMAZON_HOST.test(h)) return amazon(h);
  if (PCC_HOST.test(h)) return pccomponentes(h);
  return null;
}

export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}
