import type { AnyNode, Element } from 'domhandler';
import { CURRENT_PRICE, PageIndex, isStruckElement, textOf } from './dom';
import { MoneyHints, ParsedMoney, parseMoney } from './money-parser';

/** A price element's own text is short; longer texts are containers of several things. */
const MAX_PRICE_TEXT = 40;
/** How many price-like elements after the title are considered the product's buy box. */
const WINDOW = 6;
/** Elements (in document order) within which prices belong to the same buy box. */
const NEARBY = 150;

/** Words written just before a price that make it a former or reference price. */
const OLD_TEXT =
  /(?:^|[^\p{L}])(?:list price|was|rrp|save|savings|you save|ahorra|ahorro|ersparnis|économie|risparmi|economize|discount|rabatt|descuento|remise|sconto|korting|sparen|économisez|msrp|uvp|statt|antes|before|regular price|reg\.?|compare at|typical price|original price|orig\.?|prix conseillé|precio anterior|vorher)\s*:?\s*$/iu;
/** Words written just before a price that make it the price charged now. */
const NOW_TEXT =
  /(?:^|[^\p{L}])(?:now|sale|today|our price|special|deal|price now|ahora|jetzt|nur|maintenant|adesso|agora)\s*:?\s*$/iu;

/**
 * Amounts that are not the product's price though they sit in its buy box: per-unit prices
 * ("/kg", "per 100 g"), instalments ("4 x", "/mo", "or 3 payments of"), shipping costs.
 * UNIT_AFTER / PERIOD_AFTER read the text right after the amount; the others the text before.
 */
const UNIT_AFTER =
  /^\s*\)?\s*(?:\/|per\b|pro\b|par\b|por\b|je\b|al\b|the\b)\s*(?:\d+(?:[.,]\d+)?\s*)?(?:kg|kilo\w*|g|gr|grams?|lbs?|oz|fl\.?\s?oz|l|ltr|lit(?:er|re)s?|ml|cl|m|m2|m²|m³|cm|sq\.?\s?ft|ft|yd|ct|count|units?|stk|stück|st|pieces?|pcs?|pc|tablet\w*|capsule\w*|servings?|dose\w*|wash\w*|sheets?|rolls?|pairs?|lb)\b/iu;
const PERIOD_AFTER =
  /^\s*\)?\s*(?:\/\s*|per\s+|a\s+|al\s+|par\s+|pro\s+|im\s+)?(?:mo\b|mos\b|month|monthly|mth|mes\b|meses|monat|mtl|mois|mese|mês|maand|miesiąc|wk\b|week)|^\s*(?:x|×)\s*\d+\s*(?:months?|meses|cuotas|rate|raten|mois|parcelas|payments?)?/iu;
/** "$25 OFF", "-$80.00": a discount, not a price. */
const DISCOUNT_AFTER =
  /^\s*\)?\s*(?:off|de descuento|de réduction|rabatt|sconto|korting|de desconto)\b/iu;
const MINUS_BEFORE = /(?:^|[\s(:])[-−–]\s*(?:\p{Sc}|[A-Z]{3}\b)?\s*$/u;
const INSTALMENT_BEFORE =
  /(?:\d+\s*[x×]|\d+\s*(?:interest[- ]free\s+)?(?:payments?|instal?lments?|cuotas|rate|raten|parcelas|mensualités|termijnen)\s*(?:of|de|von|à|di|van|sin interés de)?|pay in \d+|as low as|desde|ab\s+\S+\s+mtl|financing|finance from|klarna|afterpay|affirm|monthly)\s*:?\s*$/iu;
/** Shipping or a per-unit basis named anywhere in the element's own words before the amount ("Free shipping on orders over $50", "Unit price: $2.50"). */
const NOT_PRICE_LEAD =
  /shipping|delivery|postage|versand|lieferung|envío|envio|livraison|spedizione|frete|verzending|unit price|price per|per unit|grundpreis|prix au (?:kg|litre)|prezzo al|precio por (?:kg|litro|unidad)|prijs per/iu;
/** "$5.99 shipping", "4,95 € Versand", in the element's own text (a note beside the price, "Shipping included", says nothing about the amount). */
const SHIPPING_AFTER =
  /^\s*\)?\s*(?:shipping|delivery|postage|versand|lieferung|envío|envio|livraison|spedizione|frete|verzending|porto)\b/iu;
const SHIPPING_BEFORE =
  /(?:shipping|delivery|postage|versand|lieferung|envío|envio|livraison|spedizione|frete|verzending|porto|fracht|wysyłka|frakt|doprava|deposit|pfand|tax|vat|mwst|iva|tva)\s*(?:cost|costs|kosten|fee|charge)?\s*:?\s*(?:from|ab|desde|dès|da|vanaf|od)?\s*:?\s*$/iu;

function isDescendant(el: Element, ancestor: Element): boolean {
  for (let p = el.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

export interface HeuristicPrice extends ParsedMoney {
  amount: string;
}

/**
 * Visible text of a price element. Struck-through parts are left out; so are aria-hidden parts
 * when something else remains, because those repeat the screen-reader price in split pieces.
 */
function priceText(el: Element): string {
  const parts: string[] = [];
  let hidden = false;
  const walk = (n: AnyNode, skipHidden: boolean): void => {
    if (n.type === 'text') {
      parts.push((n as unknown as { data: string }).data);
      return;
    }
    if (n.type !== 'tag') return;
    const e = n as Element;
    if (e !== el) {
      if (isStruckElement(e)) return;
      if (e.attribs['aria-hidden'] === 'true') {
        hidden = true;
        if (skipHidden) return;
      }
    }
    for (const c of e.children) {
      walk(c, skipHidden);
      if (c.type === 'tag') parts.push(' ');
    }
  };
  walk(el, true);
  let text = parts.join('').replace(/\s+/g, ' ').trim();
  if (hidden && !/\d/.test(text)) {
    parts.length = 0;
    walk(el, false);
    text = parts.join('').replace(/\s+/g, ' ').trim();
  }
  // Cents in their own element after a space: "339 .99" → "339.99".
  return text.replace(/(\d) ([.,]\d{2})(?!\d)/g, '$1$2');
}

/** Up to 40 characters of text written just before the element, inside its parent or grandparent. */
function textBefore(el: Element): string {
  let out = '';
  let node: AnyNode = el;
  for (let level = 0; level < 2 && out.trim() === ''; level++) {
    for (let s = node.prev; s && out.length < 40; s = s.prev) {
      if (s.type === 'text') out = (s as unknown as { data: string }).data + out;
      else if (s.type === 'tag') out = textOf(s, 40) + ' ' + out;
    }
    if (!node.parent || node.parent.type !== 'tag') break;
    node = node.parent;
  }
  return out.replace(/\s+/g, ' ').trim().slice(-40);
}

/** Up to 30 characters of text written just after the element, inside its parent or grandparent. */
function textAfter(el: Element): string {
  let out = '';
  let node: AnyNode = el;
  for (let level = 0; level < 2 && out.trim() === ''; level++) {
    for (let s = node.next; s && out.length < 30; s = s.next) {
      if (s.type === 'text') out += (s as unknown as { data: string }).data;
      else if (s.type === 'tag') out += ' ' + textOf(s, 30);
    }
    if (!node.parent || node.parent.type !== 'tag') break;
    node = node.parent;
  }
  return out.replace(/\s+/g, ' ').trim().slice(0, 30);
}

/** Numbers in a price text: "$329.99" → ["329.99"]; "1.299,99 €" → ["1.299,99"]. */
const NUMBERS = /[.,]?\d(?:[\d.,'’]|\s(?=\d))*/g;

/**
 * The one amount a text states, or null when it is a fragment (",99") or states several
 * different amounts (a container of a sale and a regular price: the caller looks inside).
 */
function completeAmount(
  text: string,
  hints: MoneyHints,
): { money: ParsedMoney; several: boolean } | null {
  const nums = text.match(NUMBERS);
  if (!nums) return null;
  if (/^[.,]/.test(nums[0])) return null;
  const money = parseMoney(text, hints);
  if (money.amount === null) return null;
  for (let i = 1; i < nums.length; i++) {
    const other = parseMoney(nums[i], hints).amount;
    if (other !== null && other !== money.amount && /[1-9]/.test(other))
      return { money, several: true };
  }
  return { money, several: false };
}

/**
 * Pages without markup: elements whose class or id says "price", with a currency written in
 * their text, not struck through, not labelled or introduced as an old price, and not in a
 * recommendation section. The outermost element whose text states one complete amount speaks
 * for the elements inside it, so split prices ("1.299<span>,99</span> €") are read whole and a
 * decimals fragment is never a price. The candidates that follow the page's h1 are the buy box;
 * when they disagree on the amount the answer is "unknown" rather than a guess.
 */
export interface PriceBox {
  /** The price the buy box presents, or null when there is none or it is ambiguous. */
  price: HeuristicPrice | null;
  /** Every amount shown as a current price on the page (outside recommendation sections). */
  shown: string[];
  /** Amounts written inside longer price texts (ranges, "Total: $339.99", "From $28 for 24 months"). */
  mentioned: string[];
  /** The price sits right after the page's h1: the product's own buy box, not a listing. */
  nearTitle: boolean;
  /** Amounts shown struck through or introduced as former / list prices. */
  old: string[];
}

export function heuristicPrice(page: PageIndex, hints: MoneyHints): HeuristicPrice | null {
  return readPriceBox(page, hints).price;
}

export function readPriceBox(page: PageIndex, hints: MoneyHints): PriceBox {
  const els = page.priceElements;
  const found: { money: HeuristicPrice; order: number; current: boolean }[] = [];
  const old: string[] = [];
  const mentioned: string[] = [];
  /** "special-price" on a wrapper speaks for the price element inside it. */
  const currentWrappers: Element[] = [];
  const textHints = { ...hints, currencyHint: null };
  let settled: Element | null = null;
  for (let i = 0; i < els.length; i++) {
    const { el, order, struck, aside } = els[i];
    if (aside) continue;
    if (struck) {
      if (old.length < 20) {
        const t = priceText(el);
        const a = t.length <= MAX_PRICE_TEXT ? completeAmount(t, textHints) : null;
        if (a && !a.several && a.money.amount) old.push(a.money.amount);
        // A struck range ("38.17 - 48.27 / Lot") still names amounts the page shows.
        else if (a?.several)
          for (const n of t.match(NUMBERS) ?? [])
            mentioned.push(parseMoney(n, textHints).amount ?? '');
      }
      continue;
    }
    if (settled && isDescendant(el, settled)) continue;
    const text = priceText(el);
    if (!text || !/\d/.test(text)) continue;
    const label = `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`;
    const labelCurrent = CURRENT_PRICE.test(label);
    const parsed = text.length > MAX_PRICE_TEXT ? null : completeAmount(text, textHints);
    if (parsed === null || parsed.several) {
      // Too long, a fragment or several amounts: the elements inside may be the price.
      if (labelCurrent) currentWrappers.push(el);
      if (mentioned.length < 200 && text.length <= 300)
        for (const n of (text.match(NUMBERS) ?? []).slice(0, 6)) {
          const a = parseMoney(n, textHints).amount;
          if (a !== null) mentioned.push(a);
        }
      continue;
    }
    settled = el;
    const money = parsed.money;
    if (money.amount === null || !/[1-9]/.test(money.amount)) continue;
    // The words before the amount, without the currency sign: "Now $" → "Now".
    const lead = text.slice(0, text.search(/[\d.,]/)).replace(/[^\p{L}\s:.]+\s*$/u, '');
    const before = lead.trim() === '' ? textBefore(el) : '';
    if (OLD_TEXT.test(lead) || OLD_TEXT.test(before)) {
      old.push(money.amount);
      continue;
    }
    // Per-unit, instalment and shipping amounts: the words around the number say so.
    const afterNumber = text.slice(text.search(/\d[^\d]*$/u) + 1);
    const tail =
      `${afterNumber.replace(/^\s*(?:[A-Z]{3}\b|[^\p{L}\d\s/()]{1,4})?/u, '')} ${textAfter(el)}`.trim();
    const head = lead.trim() === '' ? before : lead;
    if (
      DISCOUNT_AFTER.test(afterNumber) ||
      DISCOUNT_AFTER.test(tail) ||
      MINUS_BEFORE.test(text.slice(0, text.search(/\d/)))
    ) {
      old.push(money.amount);
      continue;
    }
    if (
      UNIT_AFTER.test(tail) ||
      PERIOD_AFTER.test(tail) ||
      INSTALMENT_BEFORE.test(head) ||
      SHIPPING_BEFORE.test(head) ||
      SHIPPING_AFTER.test(afterNumber) ||
      NOT_PRICE_LEAD.test(lead)
    )
      continue;
    const current =
      labelCurrent ||
      NOW_TEXT.test(lead) ||
      NOW_TEXT.test(before) ||
      currentWrappers.some((w) => isDescendant(el, w));
    // A bare number counts only where the label says it is the price charged now.
    let currency = money.currency;
    if (currency === null) {
      if (!current || !/^[\d.,\s]+$/.test(text)) continue;
      currency = parseMoney('', hints).currency;
    }
    found.push({ money: { amount: money.amount, currency }, order, current });
    if (found.length > 200) break;
  }
  const shown = found.map((f) => f.money.amount);
  if (!found.length) return { price: null, shown, old, mentioned, nearTitle: false };
  const afterTitle = page.h1Order >= 0 ? found.filter((f) => f.order > page.h1Order) : [];
  const candidates = afterTitle.length ? afterTitle : found;
  // Prices far below the first one are recommendations and upsells, not this product's buy box.
  const pool = candidates.filter((f) => f.order - candidates[0].order <= NEARBY).slice(0, WINDOW);
  // "special-price" / "Now $52" beside a regular price that was not marked as old.
  const first = pool.find((f) => f.current) ?? pool[0];
  const same = pool.filter((f) => f.money.amount === first.money.amount).length;
  // The buy box usually repeats its price (desktop/mobile, sticky bar); a lone first value among
  // several others is a listing, not a product page.
  if (pool.length >= 3 && same === 1 && new Set(pool.map((f) => f.money.amount)).size >= 3)
    return { price: null, shown, old, mentioned, nearTitle: false };
  const nearTitle =
    page.h1Order >= 0 && first.order > page.h1Order && first.order - page.h1Order <= NEARBY;
  return { price: first.money, shown, old, mentioned, nearTitle };
}
