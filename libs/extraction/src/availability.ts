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

const SCHEMA_VALUES: Record<string, Exclude<Availability, null>> = {
  instock: 'InStock',
  outofstock: 'OutOfStock',
  preorder: 'PreOrder',
  presale: 'PreOrder',
  backorder: 'BackOrder',
  discontinued: 'Discontinued',
  limitedavailability: 'LimitedAvailability',
  soldout: 'SoldOut',
  instoreonly: 'InStoreOnly',
  onlineonly: 'OnlineOnly',
  // Open Graph / Facebook catalogue spellings.
  oos: 'OutOfStock',
  availablefororder: 'BackOrder',
  pending: 'BackOrder',
};

/**
 * A schema.org availability in any spelling ("http://schema.org/InStock", "InStock",
 * "https://schema.org/OutOfStock", "in stock", "out_of_stock", "schema:SoldOut") → its name.
 */
export function normaliseAvailability(value: unknown): Availability {
  if (typeof value !== 'string') return null;
  const last = value.trim().split(/[/#:]/).pop() ?? '';
  const key = last.toLowerCase().replace(/[\s_-]+/g, '');
  return SCHEMA_VALUES[key] ?? null;
}

/**
 * Out-of-stock wording, for the buy box only. Conservative: a page mentions "out of stock" in
 * many places (other sizes, recommendations), so callers pass the text of availability elements,
 * not the page.
 */
const OUT_OF_STOCK =
  /(?<![\p{L}\p{N}])(?:out of stock|sold out|currently unavailable|temporarily (?:out of stock|unavailable)|no longer available|agotado|sin stock|no disponible|ausverkauft|derzeit nicht verfügbar|nicht (?:mehr )?verfügbar|nicht auf lager|épuisé|rupture de stock|actuellement indisponible|esaurito|non disponibile|esgotado|indisponível|niet (?:meer )?leverbaar|uitverkocht|slutsåld|ej i lager|udsolgt|utsolgt|wyprzedany|niedostępny|brak w magazynie|vyprodáno|nedostupné|нет в наличии)(?![\p{L}\p{N}])/iu;
const IN_STOCK =
  /(?<![\p{L}\p{N}])(?:in stock|available now|en stock|disponible|auf lager|lieferbar|disponibile|op voorraad|i lager|på lager|w magazynie|dostępny|skladem|в наличии)(?![\p{L}\p{N}])/iu;
const PRE_ORDER =
  /(?<![\p{L}\p{N}])(?:pre-?order|pre-?commande|reserva|vorbestell\w*|prenota\w*)(?![\p{L}\p{N}])/iu;

/** Availability from buy-box wording; null when the text says nothing clear. */
export function availabilityFromText(text: string): Availability {
  const t = text.slice(0, 500);
  if (OUT_OF_STOCK.test(t)) return 'OutOfStock';
  if (PRE_ORDER.test(t)) return 'PreOrder';
  if (IN_STOCK.test(t)) return 'InStock';
  return null;
}
