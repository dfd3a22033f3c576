import type { Element } from 'domhandler';
import { CURRENT_PRICE, PageIndex, attr, isStruckElement, textOf } from './dom';

export interface MicrodataProduct {
  prices: string[];
  currency: string | null;
  availability: string | null;
  name: string | null;
}

function props(el: Element): string[] {
  return (attr(el, 'itemprop') ?? '').toLowerCase().split(/\s+/);
}

/** The value of an itemprop: machine-readable attributes before the visible text. */
function valueOf(el: Element): string {
  const a = el.attribs;
  return (a.content ?? a.href ?? a.value ?? a['data-price'] ?? textOf(el, 200, true)).trim();
}

function scopeType(el: Element): string {
  for (let p: Element | null = el; p; p = p.parent as Element | null) {
    if (p.type !== 'tag') break;
    // The nearest scope decides: a breadcrumb or review inside a product is not the product.
    if (p.attribs.itemscope !== undefined) {
      const t = p.attribs.itemtype ?? '';
      return /offer|product/i.test(t) ? t : '';
    }
  }
  return '';
}

function struck(el: Element): boolean {
  for (let p: Element | null = el, i = 0; p && i < 4; p = p.parent as Element | null, i++) {
    if (p.type !== 'tag') break;
    if (isStruckElement(p)) return true;
  }
  return false;
}

/** schema.org microdata: itemprop="price" (content attribute or text), priceCurrency, availability. */
export function extractMicrodata(page: PageIndex): MicrodataProduct {
  const out: MicrodataProduct = { prices: [], currency: null, availability: null, name: null };
  const scoped: string[] = [];
  const loose: string[] = [];
  const current: string[] = [];
  for (const el of page.itemprops) {
    const p = props(el);
    if (p.includes('price') || p.includes('lowprice')) {
      if (struck(el)) continue;
      const v = valueOf(el);
      if (!v) continue;
      if (CURRENT_PRICE.test(`${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`)) current.push(v);
      (scopeType(el) ? scoped : loose).push(v);
    } else if (p.includes('pricecurrency')) {
      out.currency ??= valueOf(el) || null;
    } else if (p.includes('availability')) {
      out.availability ??= valueOf(el) || null;
    } else if (p.includes('name') && out.name === null && /product/i.test(scopeType(el))) {
      out.name = textOf(el, 500) || el.attribs.content || null;
    }
  }
  out.prices = [...current, ...scoped, ...loose];
  return out;
}
