import { parseDocument } from 'htmlparser2';
import type { AnyNode, Document, Element } from 'domhandler';
import { MAX_STATE, StateScript } from './embedded-state';

/**
 * One parse and one walk per page. htmlparser2 is several times faster than parse5 (which
 * cheerio's default HTML mode uses) and tolerant of broken markup, which is what shops serve.
 * Everything the extractors need is collected in the single walk below, so no extractor scans
 * the whole tree again.
 */

/** Pages larger than this are cut: the product block is near the top, the rest is footer. */
export const MAX_HTML = 4_000_000;
/** JSON-LD blocks above this are not parsed (a catalogue dump, not a product). */
export const MAX_JSONLD = 1_000_000;
const MAX_TEXT = 4000;
/** Inline scripts worth keeping for embedded-state.ts; the rest are never parsed. */
const STATE_HINT =
  /__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__NUXT__|__STATE__|__APP_STATE__|ShopifyAnalytics|Shopify\.currency|\bvar meta\s*=|dataLayer|gtag\(/;

export interface PageIndex {
  doc: Document;
  lang: string | null;
  title: string | null;
  h1: Element | null;
  h1Order: number;
  metas: Map<string, string>;
  jsonLd: string[];
  /** Scripts that may hold the shop's own state (see embedded-state.ts); bounded in size. */
  stateScripts: StateScript[];
  itemprops: Element[];
  /**
   * Elements whose class or id mentions "price", in document order. `aside`: inside a
   * recommendation, carousel or related-products section (other products' prices).
   */
  priceElements: { el: Element; order: number; struck: boolean; aside: boolean }[];
  /** Elements whose class or id mentions availability or stock. */
  stockElements: Element[];
  canonical: string | null;
  /** Rough amount of visible text, to tell a JavaScript shell from a page. */
  visibleText: number;
  scriptCount: number;
  captchaMarker: boolean;
  noscriptJs: boolean;
}

const STRUCK = 1;
const ASIDE_FLAG = 2;
const SKIP_TEXT = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe']);
const STRUCK_TAGS = new Set(['del', 's', 'strike']);
/** Class/id words for prices that are not the current price ("old-price", "wasPrice", "msrp"). */
const OLD_WORDS = new Set(
  (
    'old was strike strikethrough crossed through list listprice compare original before msrp rrp ' +
    'previous retail reference save saving savings discount percent installment installments ' +
    'monthly unit shipping tax vorher statt antes tachado prior instead uvp'
  ).split(' '),
);
const PRICE_WORD = /price|preis|prix|prezzo|precio|preço|cena|pris|prijs/i;
/** Class/id words for the price being charged now. */
/**
 * Sections listing other products. "carousel"/"slider" alone would also match the product's own
 * image gallery, which holds no prices, so they are included.
 */
const ASIDE =
  /recommend|carousel|related|similar|also-?(?:viewed|bought|like|purchased)|you-?may|may-?also|cross-?sell|up-?sell|recently-?viewed|frequently-?bought|people-?also|recs-|sponsored/i;
const STOCK_LABEL = /availability|in-?stock|out-?of-?stock|stock-?status|\bstock\b|inventory/i;
export const CURRENT_PRICE = /sale|special|current|now|final|offer|deal|promo|actual|selling/i;

/** "product-oldPrice was_price" → ["product", "old", "price", "was", "price"]. */
function labelWords(label: string): string[] {
  return label
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** Cheap pre-test: labelWords is costly and most labels mention neither prices nor strikes. */
const STRUCK_HINT = /price|preis|prix|prezzo|precio|preço|cena|pris|prijs|strike|crossed/i;

/** Struck through, or labelled as an old/list price (the label must be about a price). */
export function isStruckElement(el: Element): boolean {
  const a = el.attribs;
  if (STRUCK_TAGS.has(el.name) || (a.style !== undefined && /line-through/i.test(a.style)))
    return true;
  const label = `${a.class ?? ''} ${a.id ?? ''}`;
  if (!STRUCK_HINT.test(label)) return false;
  const words = labelWords(label);
  if (words.some((w) => w === 'strike' || w === 'strikethrough' || w === 'crossed')) return true;
  return PRICE_WORD.test(label) && words.some((w) => OLD_WORDS.has(w));
}

export function attr(el: Element, name: string): string | undefined {
  return el.attribs[name];
}

/** Visible text of a node, whitespace collapsed, bounded. */
export function textOf(node: AnyNode, max = MAX_TEXT, skipStruck = false): string {
  const parts: string[] = [];
  let len = 0;
  const walk = (n: AnyNode): void => {
    if (len >= max) return;
    if (n.type === 'text') {
      const d = (n as unknown as { data: string }).data;
      parts.push(d);
      len += d.length;
      return;
    }
    if (n.type === 'tag' || n.type === 'root') {
      const el = n as Element;
      if (n.type === 'tag' && SKIP_TEXT.has(el.name)) return;
      if (skipStruck && n.type === 'tag' && n !== node && isStruckElement(el)) return;
      // Block boundaries become spaces so "<span>12</span><span>99</span>" stays two numbers.
      for (const c of el.children) {
        walk(c);
        if (c.type === 'tag') parts.push(' ');
      }
    }
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Text without the separators between inline children: "1.299<sup>,99</sup>" → "1.299,99". */
export function tightTextOf(node: AnyNode, max = 200): string {
  const parts: string[] = [];
  const walk = (n: AnyNode): void => {
    if (parts.length > max) return;
    if (n.type === 'text') parts.push((n as unknown as { data: string }).data);
    else if (n.type === 'tag' && !SKIP_TEXT.has((n as Element).name))
      for (const c of (n as Element).children) walk(c);
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim().slice(0, max);
}

function scriptText(el: Element): string {
  return el.children
    .map((c) => (c.type === 'text' ? (c as unknown as { data: string }).data : ''))
    .join('');
}

export function indexPage(rawHtml: string): PageIndex {
  const html = rawHtml.length > MAX_HTML ? rawHtml.slice(0, MAX_HTML) : rawHtml;
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseAttributeNames: true });
  const page: PageIndex = {
    doc,
    lang: null,
    title: null,
    h1: null,
    h1Order: -1,
    metas: new Map(),
    jsonLd: [],
    stateScripts: [],
    itemprops: [],
    priceElements: [],
    stockElements: [],
    canonical: null,
    visibleText: 0,
    scriptCount: 0,
    captchaMarker: false,
    noscriptJs: false,
  };
  let order = 0;
  // Parallel stacks instead of one object per node: the walk visits every node of large pages.
  const nodes: AnyNode[] = [];
  const flags: number[] = [];
  for (let i = doc.children.length - 1; i >= 0; i--) {
    nodes.push(doc.children[i]);
    flags.push(0);
  }
  while (nodes.length) {
    const node = nodes.pop()!;
    const flag = flags.pop()!;
    if (node.type === 'text') {
      // Only "little text" vs "a page" matters, so counting stops early on big pages.
      if (page.visibleText < 5000)
        page.visibleText += (node as unknown as { data: string }).data.trim().length;
      continue;
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') continue;
    const el = node as Element;
    order++;
    const name = el.name;
    const a = el.attribs;
    switch (name) {
      case 'html':
        if (page.lang === null && a.lang) page.lang = a.lang.trim() || null;
        break;
      case 'title':
        if (page.title === null) page.title = textOf(el, 500);
        continue;
      case 'h1':
        if (page.h1 === null) {
          page.h1 = el;
          page.h1Order = order;
        }
        break;
      case 'meta': {
        const key = (a.property ?? a.name ?? a.itemprop ?? '').toLowerCase();
        if (key && a.content !== undefined && !page.metas.has(key)) page.metas.set(key, a.content);
        break;
      }
      case 'link':
        if (page.canonical === null && a.rel && /\bcanonical\b/i.test(a.rel) && a.href)
          page.canonical = a.href;
        break;
      case 'script': {
        page.scriptCount++;
        const type = a.type;
        if (type && type.toLowerCase().includes('ld+json')) {
          const t = scriptText(el);
          if (t.length <= MAX_JSONLD) page.jsonLd.push(t);
        } else if (a.src === undefined) {
          const kind =
            a.id === '__NEXT_DATA__'
              ? 'next'
              : type &&
                  /json/i.test(type) &&
                  (a['data-product-json'] !== undefined ||
                    /^product/i.test(a.id ?? '') ||
                    a['data-product'] !== undefined)
                ? 'product-json'
                : !type || /javascript/i.test(type)
                  ? 'js'
                  : null;
          if (kind !== null && page.stateScripts.length < 40) {
            const t = scriptText(el);
            if (t.length <= MAX_STATE && (kind !== 'js' || STATE_HINT.test(t)))
              page.stateScripts.push({ kind, text: t });
          }
        }
        continue;
      }
      case 'style':
      case 'template':
      case 'svg':
        continue;
      case 'noscript':
        if (
          /enable javascript|javascript (?:is )?(?:required|disabled)|activa javascript|javascript aktivieren/i.test(
            textOf(el, 300),
          )
        )
          page.noscriptJs = true;
        continue;
      case 'form':
        if (a.action && /captcha/i.test(a.action)) page.captchaMarker = true;
        break;
    }
    if (a.itemprop !== undefined) page.itemprops.push(el);
    const id = a.id;
    const cls = a.class;
    let f = flag;
    if (id !== undefined || cls !== undefined || STRUCK_TAGS.has(name) || a.style !== undefined) {
      const label = cls === undefined ? (id ?? '') : id === undefined ? cls : `${cls} ${id}`;
      if (
        (id !== undefined &&
          /captcha|challenge-form|cf-challenge|cf-browser-verification/i.test(id)) ||
        (cls !== undefined && /^(?:g-recaptcha|h-captcha)$/.test(cls))
      )
        page.captchaMarker = true;
      if ((f & STRUCK) === 0 && isStruckElement(el)) f |= STRUCK;
      if ((f & ASIDE_FLAG) === 0 && ASIDE.test(label)) f |= ASIDE_FLAG;
      if (
        (cls !== undefined && PRICE_WORD.test(cls)) ||
        (id !== undefined && /price|precio/i.test(id))
      )
        page.priceElements.push({
          el,
          order,
          struck: (f & STRUCK) !== 0,
          aside: (f & ASIDE_FLAG) !== 0,
        });
      if (STOCK_LABEL.test(label)) page.stockElements.push(el);
    }
    const kids = el.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      nodes.push(kids[i]);
      flags.push(f);
    }
  }
  return page;
}
