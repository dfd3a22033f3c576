import { UNSPACED, WORDING, Wording } from './availability-wording';

export type Availability =
  | 'InStock'
  | 'OutOfStock'
  | 'PreOrder'
  | 'BackOrder'
  | 'Discontinued'
  | 'LimitedAvailability'
  | 'SoldOut'
  | 'InStoreOnly'
  | 'OnlineOnly'
  | null;

/** Values a check can act on; SoldOut is written as OutOfStock (one name for one state). */
export type KnownAvailability = Exclude<Availability, null>;

const SCHEMA_VALUES: Record<string, KnownAvailability> = {
  instock: 'InStock',
  available: 'InStock',
  availablenow: 'InStock',
  outofstock: 'OutOfStock',
  oos: 'OutOfStock',
  soldout: 'OutOfStock',
  unavailable: 'OutOfStock',
  notavailable: 'OutOfStock',
  notinstock: 'OutOfStock',
  nostock: 'OutOfStock',
  preorder: 'PreOrder',
  presale: 'PreOrder',
  backorder: 'BackOrder',
  backordered: 'BackOrder',
  // Open Graph / Facebook catalogue spellings.
  availablefororder: 'BackOrder',
  pending: 'BackOrder',
  discontinued: 'Discontinued',
  limitedavailability: 'LimitedAvailability',
  limitedstock: 'LimitedAvailability',
  lowstock: 'LimitedAvailability',
  instoreonly: 'InStoreOnly',
  onlineonly: 'OnlineOnly',
};

/**
 * A schema.org availability in any spelling ("http://schema.org/InStock", "InStock",
 * "https://schema.org/OutOfStock", "in stock", "out_of_stock", "schema:SoldOut", "in-stock",
 * "available for order") → its name. SoldOut becomes OutOfStock.
 */
export function normaliseAvailability(value: unknown): Availability {
  if (typeof value !== 'string' || value.length > 200) return null;
  const last = value.trim().split(/[/#:]/).pop() ?? '';
  const key = last.toLowerCase().replace(/[\s_.-]+/g, '');
  return SCHEMA_VALUES[key] ?? null;
}

/** Whether a shopper can put the product in the cart now (or order it ahead). */
export function isBuyable(a: Availability): boolean {
  return a !== null && a !== 'OutOfStock' && a !== 'SoldOut' && a !== 'Discontinued';
}

/**
 * One product, many offers (sizes, colours, sellers): the product is in stock when any offer is.
 * A purchasable state beats an unpurchasable one; among purchasable states the plainest wins.
 */
const RANK: KnownAvailability[] = [
  'InStock',
  'LimitedAvailability',
  'OnlineOnly',
  'InStoreOnly',
  'PreOrder',
  'BackOrder',
  'OutOfStock',
  'SoldOut',
  'Discontinued',
];
export function combineAvailability(values: Availability[]): Availability {
  let best: Availability = null;
  for (const v of values) {
    if (v === null) continue;
    const n: KnownAvailability = v === 'SoldOut' ? 'OutOfStock' : v;
    if (best === null || RANK.indexOf(n) < RANK.indexOf(best)) best = n;
  }
  return best;
}

type Category = keyof Wording;

function compile(...categories: Category[]): RegExp {
  const spaced: string[] = [];
  const unspaced: string[] = [];
  for (const [lang, w] of Object.entries(WORDING))
    for (const category of categories)
      (UNSPACED.has(lang) ? unspaced : spaced).push(...w[category]);
  const parts: string[] = [];
  if (spaced.length) parts.push(`(?<![\\p{L}\\p{N}])(?:${spaced.join('|')})(?![\\p{L}\\p{N}])`);
  if (unspaced.length) parts.push(`(?:${unspaced.join('|')})`);
  return new RegExp(parts.join('|'), 'iu');
}

export const WORDS: Record<Category, RegExp> = {
  outOfStock: compile('outOfStock'),
  notify: compile('notify'),
  preOrder: compile('preOrder'),
  backOrder: compile('backOrder'),
  discontinued: compile('discontinued'),
  inStock: compile('inStock'),
  buy: compile('buy'),
  chooseVariant: compile('chooseVariant'),
};

/**
 * Any stock wording at all, in one scan: most text of a buy box says nothing about stock, and
 * one failed test is cheaper than one per category.
 */
export const ANY_STOCK_WORDING = compile(
  'outOfStock',
  'notify',
  'preOrder',
  'backOrder',
  'discontinued',
  'inStock',
  'chooseVariant',
);

/** A negation just before positive wording: "not in stock", "nicht lieferbar", "не в наличии". */
const NEGATION =
  /(?<![\p{L}])(?:not|no|non|nicht|kein\w*|nie|ne|не|нет|ej|inte|ikke|niet|geen|não|nem|není|nessun\w*|sin|sans|pas|yok|לא)\s+(?:\p{L}+\s+){0,1}$/iu;

/** "Almost" before sold-out wording, in the spaced languages of WORDING. */
const ALMOST =
  /(?<![\p{L}])(?:almost|nearly|close to|about to|casi|fast|presque|bient[ôo]t|quasi|quase|bijna|prawie|n[äa]stan|n[æa]sten|t[ée]m[ěe][řr]|почти)\s+(?:\p{L}+\s+)?$/iu;
/** The same where words are not spaced: "即将售罄", "품절 임박". */
const ALMOST_UNSPACED = /即将售罄|即將售罄|快售罄|快要售罄|품절\s?임박|残りわずか/u;

/** Lower-cased, whitespace-collapsed, typographic apostrophes made plain. */
export function normaliseText(text: string): string {
  return text.replace(/[’`´]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * What a short piece of buy-box text says about stock, or null. Out-of-stock wording is tested
 * before positive wording so negations never read as in stock.
 */
export function availabilityFromText(text: string): Availability {
  const t = normaliseText(text.slice(0, 500));
  if (!t || !ANY_STOCK_WORDING.test(t)) return null;
  if (WORDS.discontinued.test(t)) return 'Discontinued';
  const out = WORDS.outOfStock.exec(t);
  if (out) {
    // "Almost sold out", "selling fast, nearly gone": urgency on a product that is for sale.
    if (ALMOST.test(t.slice(Math.max(0, out.index - 24), out.index)) || ALMOST_UNSPACED.test(t))
      return 'InStock';
    return 'OutOfStock';
  }
  if (WORDS.notify.test(t)) return 'OutOfStock';
  if (WORDS.preOrder.test(t)) return 'PreOrder';
  if (WORDS.backOrder.test(t)) return 'BackOrder';
  const m = WORDS.inStock.exec(t);
  if (!m) return null;
  const before = t.slice(Math.max(0, m.index - 24), m.index);
  // "will be back in stock", "when it's back in stock": about a future restock.
  if (NEGATION.test(before) || /\bback\s+$/.test(before)) return null;
  return 'InStock';
}
