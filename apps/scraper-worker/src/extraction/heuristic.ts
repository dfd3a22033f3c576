import type { Element } from 'domhandler';
import { CURRENT_PRICE, PageIndex, textOf } from './dom';
import { MoneyHints, ParsedMoney, parseMoney } from './money-parser';

/** A price element's own text is short; longer texts are containers of several things. */
const MAX_PRICE_TEXT = 40;
/** How many price-like elements after the title are considered the product's buy box. */
const WINDOW = 6;
/** Elements (in document order) within which prices belong to the same buy box. */
const NEARBY = 150;

function isDescendant(el: Element, ancestor: Element): boolean {
  for (let p = el.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

export interface HeuristicPrice extends ParsedMoney {
  amount: string;
}

/**
 * Pages without markup: elements whose class or id says "price", with a currency written in
 * their text, not struck through and not labelled as an old price. The candidates that follow
 * the page's h1 are the buy box; when they disagree on the amount the answer is "unknown"
 * rather than a guess.
 */
export function heuristicPrice(page: PageIndex, hints: MoneyHints): HeuristicPrice | null {
  const els = page.priceElements;
  const found: { money: HeuristicPrice; order: number; current: boolean }[] = [];
  /** "special-price" on a wrapper speaks for the price element inside it. */
  const currentWrappers: Element[] = [];
  for (let i = 0; i < els.length; i++) {
    const { el, order, struck } = els[i];
    if (struck) continue;
    const label = `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`;
    // A wrapper whose inner element is also a priced candidate: let the inner one speak.
    let wrapper = false;
    for (let j = i + 1; j < els.length && isDescendant(els[j].el, el); j++) {
      if (!els[j].struck && /\d/.test(textOf(els[j].el, MAX_PRICE_TEXT + 1, true))) {
        wrapper = true;
        break;
      }
    }
    if (wrapper) {
      if (CURRENT_PRICE.test(label)) currentWrappers.push(el);
      continue;
    }
    const text = textOf(el, MAX_PRICE_TEXT + 1, true);
    if (!text || text.length > MAX_PRICE_TEXT) continue;
    const money = parseMoney(text, { ...hints, currencyHint: null });
    if (money.amount === null || !/[1-9]/.test(money.amount)) continue;
    const current = CURRENT_PRICE.test(label) || currentWrappers.some((w) => isDescendant(el, w));
    // A bare number counts only where the label says it is the price charged now.
    let currency = money.currency;
    if (currency === null) {
      if (!current || !/^[\d.,\s]+$/.test(text)) continue;
      currency = parseMoney('', hints).currency;
    }
    found.push({ money: { amount: money.amount, currency }, order, current });
    if (found.length > 200) break;
  }
  if (!found.length) return null;
  const afterTitle = page.h1Order >= 0 ? found.filter((f) => f.order > page.h1Order) : [];
  const candidates = afterTitle.length ? afterTitle : found;
  // Prices far below the first one are recommendations and upsells, not this product's buy box.
  const pool = candidates.filter((f) => f.order - candidates[0].order <= NEARBY).slice(0, WINDOW);
  // "special-price" / "sale-price" beside a regular price that was not marked as old.
  const first = pool.find((f) => f.current) ?? pool[0];
  const same = pool.filter((f) => f.money.amount === first.money.amount).length;
  // The buy box usually repeats its price (desktop/mobile, sticky bar); a lone first value among
  // several others is a listing, not a product page.
  if (pool.length >= 3 && same === 1 && new Set(pool.map((f) => f.money.amount)).size >= 3)
    return null;
  return first.money;
}
