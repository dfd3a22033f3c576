import {
  CurrencyMatch,
  THREE_DECIMAL_CURRENCIES,
  findCurrencies,
  hintCandidates,
  resolveCurrency,
} from './currency';

export interface MoneyHints {
  /** An ISO code known from the page (JSON-LD priceCurrency), or a nearby text holding a currency. */
  currencyHint?: string | null;
  /** The page language (`<html lang>`), e.g. "es-ES". */
  lang?: string | null;
  /** The currency the job expects; breaks ties between the candidates of "$", "kr", "¥". */
  jobCurrency?: string | null;
  /**
   * The decimal separator when it is known for sure (a site profile, a forced setting):
   * ".", "," or "€" ("35€99"). Without it the separator is inferred from the digits.
   */
  decimalSeparator?: string | null;
}

/** `amount` is an exact decimal string ("1299", "12.99", "0.75"); never a float. */
export interface ParsedMoney {
  amount: string | null;
  currency: string | null;
}

/** Longer texts are not a price but a page fragment; parsing them costs time for nothing. */
const MAX_TEXT = 2000;
const MAX_DIGITS = 40;

/**
 * A number as shops write it: digits with ".", ",", "'" or a space between groups of three.
 * Leading separators are kept (".75", "$..75") and sorted out later. "119. 95" is one number:
 * shops split the cents into their own element, and text extraction joins them with a space.
 */
const NUMBER = /[.,]*\d(?:\d|[.,'’](?=\d)|\.\s(?=\d{2}(?!\d))|\s(?=\d{3}(?!\d)))*/gu;
const SPACES = /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/gu;
const LETTER = /\p{L}/u;
/** Scripts written with spaces between words; CJK text glues units to numbers ("571.12坪"). */
const SPACED_LETTER = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]/u;
const FREE = /\b(?:free|gratis|gratuit|gratuito|kostenlos|zdarma|бесплатно)\b/iu;
/** Cents after a euro sign ("35€ 99", "35 €99"): some shops write the sign as the separator. */
const EURO_CENTS = /^\s?€\s?(\d{2})(?!\d)/u;
/** Characters allowed between a number and the currency that belongs to it. */
const GLUE = /^[\s:.,\-–*]{0,3}$/u;

interface NumberMatch {
  raw: string;
  index: number;
  end: number;
  /** Cents written after a euro sign, when the sign is the decimal separator. */
  euroCents: string | null;
}

function isLetter(ch: string | undefined): boolean {
  return ch !== undefined && LETTER.test(ch);
}

/** The first number in the text that reads as an amount, not a percentage, a code or a size. */
function findNumber(
  text: string,
  currencies: CurrencyMatch[],
  forced: string | null,
): NumberMatch | null {
  NUMBER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NUMBER.exec(text)) !== null) {
    const index = m.index;
    const end = index + m[0].length;
    const before = text[index - 1];
    const after = text[end];
    // "MX924", "4GB", "100ml", "12x": digits glued to a word are not a price, unless the word is
    // a currency ("EUR29.66", "Rs1,599", "2963yen").
    if (isLetter(before) && !currencies.some((c) => c.end === index)) continue;
    if (
      after !== undefined &&
      SPACED_LETTER.test(after) &&
      !currencies.some((c) => c.index === end)
    )
      continue;
    const rest = text.slice(end, end + 12);
    if (/^\s?%/u.test(rest)) continue;
    let euroCents: string | null = null;
    if (forced === '€') {
      const fm = /^€(\d+)|^€ (\d{1,2})(?!\d)/u.exec(rest);
      if (fm) euroCents = fm[1] ?? fm[2];
    } else {
      const em = EURO_CENTS.exec(rest);
      if (em && !/[.,]\d{1,2}$/u.test(m[0])) euroCents = em[1];
    }
    return { raw: m[0], index, end, euroCents };
  }
  return null;
}

function stripZeros(int: string): string {
  const s = int.replace(/^0+(?=\d)/u, '');
  return s === '' ? '0' : s;
}

function compose(int: string, frac: string): string | null {
  if (!/^\d*$/u.test(int) || !/^\d*$/u.test(frac)) return null;
  if (int.length + frac.length > MAX_DIGITS || int.length + frac.length === 0) return null;
  const i = stripZeros(int || '0');
  return frac ? `${i}.${frac}` : i;
}

/** Thousands groups must look like thousands groups ("1.299.000", Indian "1,00,000"). */
function validGroups(int: string, sep: string): boolean {
  const groups = int.split(sep);
  if (groups.length === 1) return true;
  if (groups[0].length < 1 || groups[0].length > 3) return false;
  const last = groups[groups.length - 1];
  if (last.length !== 3) return false;
  const middle = groups.slice(1, -1);
  return (
    middle.every((g) => g.length === 3) || (sep === ',' && middle.every((g) => g.length === 2))
  );
}

/**
 * Digits and separators → exact decimal. The separator that appears last and once is the
 * decimal one when both kinds appear; a lone separator followed by exactly three digits is a
 * thousands separator ("1.299 €", "1,299"), except after a zero, after more than three digits,
 * or for a currency with three-digit minor units.
 */
export function normaliseNumber(
  raw: string,
  forced: string | null = null,
  currency: string | null = null,
): string | null {
  let s = raw.replace(/[\s'’]/gu, '');
  if (forced === '.' || forced === ',') {
    const other = forced === '.' ? ',' : '.';
    s = s.split(other).join('');
    const at = s.lastIndexOf(forced);
    if (at < 0) return compose(s, '');
    return compose(s.slice(0, at).split(forced).join(''), s.slice(at + 1));
  }
  if (forced) return compose(s.replace(/[.,]/gu, ''), '');

  const lead = /^[.,]+/u.exec(s);
  if (lead) {
    const rest = s.slice(lead[0].length);
    // ".75" is 0.75; in "$.750.30" the leading dot is noise before the real number.
    if (!/[.,]/u.test(rest)) return compose('0', rest);
    s = rest;
  }
  const dots = s.split('.').length - 1;
  const commas = s.split(',').length - 1;
  if (dots === 0 && commas === 0) return compose(s, '');
  if (dots > 0 && commas > 0) {
    const dec = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
    const thousands = dec === '.' ? ',' : '.';
    if ((dec === '.' ? dots : commas) !== 1) return null;
    const at = s.lastIndexOf(dec);
    const int = s.slice(0, at);
    if (!validGroups(int, thousands)) return null;
    return compose(int.split(thousands).join(''), s.slice(at + 1));
  }
  const sep = dots > 0 ? '.' : ',';
  const count = dots + commas;
  if (count > 1) {
    if (!validGroups(s, sep)) return null;
    return compose(s.split(sep).join(''), '');
  }
  const at = s.indexOf(sep);
  const int = s.slice(0, at);
  const frac = s.slice(at + 1);
  const thousands =
    frac.length === 3 &&
    int !== '0' &&
    int.length <= 3 &&
    !(sep === '.' && currency !== null && THREE_DECIMAL_CURRENCIES.has(currency));
  return thousands ? compose(int + frac, '') : compose(int, frac);
}

/** The currencies written right next to the number (through spaces, colons or other symbols). */
function adjacentCurrencies(
  text: string,
  currencies: CurrencyMatch[],
  num: NumberMatch,
): CurrencyMatch[] {
  const out: CurrencyMatch[] = [];
  let left = num.index;
  for (let i = currencies.length - 1; i >= 0; i--) {
    const c = currencies[i];
    if (c.end > left) continue;
    if (!GLUE.test(text.slice(c.end, left))) break;
    out.push(c);
    left = c.index;
  }
  let right = num.end;
  for (const c of currencies) {
    if (c.index < right) continue;
    if (
      !GLUE.test(text.slice(right, c.index)) &&
      !(num.euroCents && /^\s?€/u.test(text.slice(right)))
    )
      break;
    out.push(c);
    right = c.end;
    if (num.euroCents)
      right = Math.max(right, text.indexOf(num.euroCents, c.end) + num.euroCents.length);
  }
  return out;
}

/** Fewer candidates is more specific: "SGD" says more than "$", "GBP" more than "£". */
function specificity(c: CurrencyMatch): number {
  return c.iso.length === 0 ? 0.5 : c.iso.length;
}

function pickCurrency(
  text: string,
  currencies: CurrencyMatch[],
  num: NumberMatch | null,
): CurrencyMatch | null {
  if (num) {
    const near = adjacentCurrencies(text, currencies, num);
    if (near.length) return near.reduce((a, b) => (specificity(b) < specificity(a) ? b : a));
  }
  return currencies.find((c) => !c.weak) ?? null;
}

/**
 * Parses a price text ("1.299,99 €", "US$ 12.99", "Cena 283,50 PLN") into an exact amount and an
 * ISO 4217 currency. The currency written in the text wins over the hints; the hints choose
 * among the candidates of a shared symbol and supply the currency when the text has none.
 */
export function parseMoney(text: string, hints: MoneyHints = {}): ParsedMoney {
  const clean = (text ?? '').slice(0, MAX_TEXT).replace(SPACES, ' ').trim();
  const forced = hints.decimalSeparator ?? null;
  const currencies = findCurrencies(clean);
  const num = findNumber(clean, currencies, forced);
  const written = pickCurrency(clean, currencies, num);

  let currency: string | null = null;
  if (written) {
    currency = resolveCurrency(written.iso, hints);
  } else {
    const fromHint = hintCandidates(hints.currencyHint);
    currency = resolveCurrency(fromHint, hints);
  }

  let amount: string | null = null;
  if (num) {
    if (num.euroCents !== null) {
      const int = normaliseNumber(num.raw, 'thousands-only');
      amount = int !== null && !int.includes('.') ? compose(int, num.euroCents) : null;
    } else {
      amount = normaliseNumber(num.raw, forced, currency);
    }
  } else if (FREE.test(clean)) {
    amount = '0';
  }
  return { amount, currency };
}
