import type { Element } from 'domhandler';
import {
  Availability,
  combineAvailability,
  isBuyable,
  normaliseAvailability,
} from './availability';
import { readBuyBox } from './buy-box';
import { PageIndex, textOf } from './dom';
import type { JsonLdProduct } from './jsonld';

export interface AvailabilityReading {
  availability: Availability;
  /** 'jsonld', 'microdata', 'meta', 'variants', 'buybox:…'; null when nothing is known. */
  source: string | null;
}

/** Containers of other products, whose microdata availability is theirs, not this product's. */
const OTHER_PRODUCTS =
  /recommend|carousel|related|relation|similar|also-?(?:viewed|bought|like|purchased)|you-?may|may-?also|cross-?sell|up-?sell|recently-?viewed|frequently-?bought|people-?also|sponsored|owl-item|slick-slide|swiper-slide|product-?tile|product-?card|accessor|\bplp\b/i;

function inOtherProduct(el: Element): boolean {
  for (let p: Element | null = el, i = 0; p && p.type === 'tag' && i < 25; i++) {
    const a = p.attribs;
    if ((a.class || a.id) && OTHER_PRODUCTS.test(`${a.class ?? ''} ${a.id ?? ''}`)) return true;
    p = p.parent as Element | null;
  }
  return false;
}

/** Every itemprop=availability of this product (not of recommended ones), combined. */
function microdataAvailability(page: PageIndex): Availability {
  const values: Availability[] = [];
  for (const el of page.itemprops) {
    if (!/(?:^|\s)availability(?:\s|$)/i.test(el.attribs.itemprop ?? '')) continue;
    if (inOtherProduct(el)) continue;
    const a = el.attribs;
    values.push(normaliseAvailability(a.content ?? a.href ?? a.value ?? textOf(el, 60)));
  }
  return combineAvailability(values);
}

/** The first product that states any availability; its offers (variants) combined. */
function jsonLdAvailability(products: JsonLdProduct[]): Availability {
  for (const p of products) {
    const a = combineAvailability(p.offers.map((o) => normaliseAvailability(o.availability)));
    if (a) return a;
  }
  return null;
}

/**
 * Availability of the product on this page. Markup first (JSON-LD with every variant's offer,
 * microdata, product/og meta tags), checked against the buy box a shopper sees:
 * - markup says out of stock but the buy box itself (cart form, product scope, buy-box
 *   container; not a button elsewhere on the page) has an enabled buy control: the page sells it
 *   (stale markup); a false "out of stock" is the worst answer, so the buy box wins, including
 *   its back-order or pre-order wording;
 * - markup says in stock but the buy box has no enabled buy control and its cart form or a
 *   control says sold out: out of stock.
 * Without markup, the buy box alone decides (or null when it says nothing).
 */
export function productAvailability(
  page: PageIndex,
  products: JsonLdProduct[],
  metaAvailability: string | null,
): AvailabilityReading {
  let markup: AvailabilityReading = { availability: null, source: null };
  const ld = jsonLdAvailability(products);
  if (ld) markup = { availability: ld, source: 'jsonld' };
  else {
    const md = microdataAvailability(page);
    if (md) markup = { availability: md, source: 'microdata' };
    else {
      const mt = normaliseAvailability(metaAvailability);
      if (mt) markup = { availability: mt, source: 'meta' };
    }
  }
  const box = readBuyBox(page.doc);
  if (markup.availability === null) {
    if (box.availability) return { availability: box.availability, source: box.source };
    return markup;
  }
  if (!isBuyable(markup.availability)) {
    if (box.enabledBuyInBox && box.availability && isBuyable(box.availability))
      return { availability: box.availability, source: box.source };
    return markup;
  }
  if (!box.enabledBuy && box.strongOutOfStock && box.availability === 'OutOfStock')
    return { availability: 'OutOfStock', source: box.source };
  return markup;
}
