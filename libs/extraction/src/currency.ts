import { isIsoCurrency } from '@app/jobs-domain';

/**
 * Currency symbols and words as shops write them, mapped to ISO 4217.
 *
 * `iso` lists the candidates, most likely first: a symbol with one entry is unambiguous; with
 * several ("$", "kr", "¥") the page language, the JSON-LD currency or the job currency chooses,
 * and the first entry is the fallback. An empty list means "a currency, but not an ISO 4217
 * one" (the Iranian toman is a tenth of a rial, the livre tournois is history): the text is
 * recognised as money, its currency is reported as unknown rather than mislabelled.
 */
interface CurrencyToken {
  token: string;
  iso: readonly string[];
  /** Match regardless of case ("EURO", "Euro", "euro"). */
  ci?: boolean;
}

const DOLLARS = [
  'USD',
  'CAD',
  'AUD',
  'NZD',
  'MXN',
  'SGD',
  'HKD',
  'TWD',
  'ARS',
  'CLP',
  'COP',
  'UYU',
  'BRL',
];

const TOKENS: readonly CurrencyToken[] = [
  { token: '$', iso: DOLLARS },
  { token: 'US$', iso: ['USD'] },
  { token: 'U$S', iso: ['USD'] },
  { token: 'USD$', iso: ['USD'] },
  { token: 'US $', iso: ['USD'] },
  { token: 'CA$', iso: ['CAD'] },
  { token: 'CAD$', iso: ['CAD'] },
  { token: 'CAN$', iso: ['CAD'] },
  { token: 'C$', iso: ['CAD', 'NIO'] },
  { token: 'A$', iso: ['AUD'] },
  { token: 'AU$', iso: ['AUD'] },
  { token: 'AU $', iso: ['AUD'] },
  { token: 'AUD$', iso: ['AUD'] },
  { token: 'NZ$', iso: ['NZD'] },
  { token: 'NZD$', iso: ['NZD'] },
  { token: 'HK$', iso: ['HKD'] },
  { token: 'S$', iso: ['SGD'] },
  { token: 'SGD$', iso: ['SGD'] },
  { token: 'NT$', iso: ['TWD'] },
  { token: 'MX$', iso: ['MXN'] },
  { token: 'R$', iso: ['BRL'] },
  { token: 'G$', iso: ['GYD'] },
  { token: 'GY$', iso: ['GYD'] },
  { token: '€', iso: ['EUR'] },
  { token: 'euro', iso: ['EUR'], ci: true },
  { token: 'euros', iso: ['EUR'], ci: true },
  { token: '£', iso: ['GBP', 'EGP', 'GIP', 'FKP', 'SHP'] },
  { token: '￡', iso: ['GBP'] },
  { token: '₤', iso: ['GBP'] },
  { token: 'E£', iso: ['EGP'] },
  { token: '¥', iso: ['JPY', 'CNY'] },
  { token: '￥', iso: ['JPY', 'CNY'] },
  { token: '円', iso: ['JPY'] },
  { token: 'yen', iso: ['JPY'], ci: true },
  { token: '元', iso: ['CNY'] },
  { token: '人民币', iso: ['CNY'] },
  { token: 'RMB', iso: ['CNY'] },
  { token: 'yuan', iso: ['CNY'], ci: true },
  { token: '₩', iso: ['KRW'] },
  { token: '원', iso: ['KRW'] },
  { token: '₹', iso: ['INR'] },
  { token: 'Rs', iso: ['INR', 'PKR', 'LKR', 'NPR'] },
  { token: 'Rs.', iso: ['INR', 'PKR', 'LKR', 'NPR'] },
  { token: 'Rp', iso: ['IDR'] },
  { token: 'Rp.', iso: ['IDR'] },
  { token: '₫', iso: ['VND'] },
  { token: 'đ', iso: ['VND'] },
  { token: 'VNĐ', iso: ['VND'] },
  { token: '฿', iso: ['THB'] },
  { token: 'บาท', iso: ['THB'] },
  { token: '₱', iso: ['PHP'] },
  { token: 'RM', iso: ['MYR'] },
  { token: '₪', iso: ['ILS'] },
  { token: 'ש״ח', iso: ['ILS'] },
  { token: 'ש"ח', iso: ['ILS'] },
  { token: "ש'ח", iso: ['ILS'] },
  { token: '₽', iso: ['RUB'] },
  { token: 'Р', iso: ['RUB'] },
  { token: 'р.', iso: ['RUB', 'BYN'] },
  { token: 'руб', iso: ['RUB'], ci: true },
  { token: 'руб.', iso: ['RUB'], ci: true },
  { token: 'рублей', iso: ['RUB'], ci: true },
  { token: 'рубля', iso: ['RUB'], ci: true },
  { token: 'рубль', iso: ['RUB'], ci: true },
  { token: '₴', iso: ['UAH'] },
  { token: 'грн', iso: ['UAH'], ci: true },
  { token: 'грн.', iso: ['UAH'], ci: true },
  { token: 'лв', iso: ['BGN'] },
  { token: 'лв.', iso: ['BGN'] },
  { token: 'ден', iso: ['MKD'], ci: true },
  { token: 'дин', iso: ['RSD'], ci: true },
  { token: 'дин.', iso: ['RSD'], ci: true },
  { token: 'Dinara', iso: ['RSD'], ci: true },
  { token: 'din', iso: ['RSD'] },
  { token: 'din.', iso: ['RSD'] },
  { token: '₸', iso: ['KZT'] },
  { token: 'тг', iso: ['KZT'] },
  { token: '₺', iso: ['TRY'] },
  { token: 'TL', iso: ['TRY'] },
  { token: 'zł', iso: ['PLN'], ci: true },
  { token: 'zl', iso: ['PLN'] },
  { token: 'Kč', iso: ['CZK'] },
  { token: 'Ft', iso: ['HUF'] },
  { token: 'lei', iso: ['RON', 'MDL'], ci: true },
  { token: 'kr', iso: ['SEK', 'NOK', 'DKK', 'ISK'], ci: true },
  { token: 'kr.', iso: ['DKK', 'SEK', 'NOK', 'ISK'], ci: true },
  { token: ':-', iso: ['SEK'] },
  { token: 'CHF', iso: ['CHF'] },
  { token: 'Fr.', iso: ['CHF'] },
  { token: 'SFr.', iso: ['CHF'] },
  { token: 'SFr', iso: ['CHF'] },
  { token: 'KD', iso: ['KWD'] },
  { token: 'Br', iso: ['BYN', 'ETB'] },
  { token: '₦', iso: ['NGN'] },
  { token: '₵', iso: ['GHS'] },
  { token: '₾', iso: ['GEL'] },
  { token: '₼', iso: ['AZN'] },
  { token: '₡', iso: ['CRC'] },
  { token: '₲', iso: ['PYG'] },
  { token: '₭', iso: ['LAK'] },
  { token: '₮', iso: ['MNT'] },
  { token: 'S/', iso: ['PEN'] },
  { token: 'S/.', iso: ['PEN'] },
  { token: 'KSh', iso: ['KES'] },
  { token: 'KShs', iso: ['KES'] },
  { token: 'جنيه', iso: ['EGP', 'SDG'] },
  { token: 'ج.م', iso: ['EGP'] },
  { token: 'درهم', iso: ['AED', 'MAD'] },
  { token: 'د.إ', iso: ['AED'] },
  { token: 'ريال', iso: ['SAR', 'QAR', 'OMR', 'YER', 'IRR'] },
  { token: 'ر.س', iso: ['SAR'] },
  { token: 'ر.ق', iso: ['QAR'] },
  { token: 'د.ك', iso: ['KWD'] },
  { token: 'تومان', iso: [] },
  { token: '₶', iso: [] },
];

/**
 * Lower-case ISO codes accepted in text. Lower-case three-letter words are usually words, so
 * only codes that are not common words in shop languages are trusted.
 */
const LOWERCASE_CODES = new Set([
  'usd', 'eur', 'gbp', 'chf', 'pln', 'czk', 'huf', 'ron', 'sek', 'nok', 'dkk', 'isk', 'nzd',
  'aud', 'cad', 'jpy', 'cny', 'inr', 'rub', 'uah', 'bgn', 'mkd', 'rsd', 'brl', 'mxn', 'sgd',
  'hkd', 'krw', 'zar', 'aed', 'sar', 'ils', 'thb', 'idr', 'myr', 'vnd', 'twd', 'kzt',
]); // prettier-ignore

/**
 * Upper-case ISO codes that are also ordinary words or abbreviations in shop pages ("ALL",
 * "TOP", "PEN", "AMD", "GEL"...). They count only right next to the number.
 */
const WORDLIKE_CODES = new Set([
  'ALL', 'TOP', 'CUP', 'MOP', 'BOB', 'MAD', 'SOS', 'PEN', 'AMD', 'GEL', 'BAM', 'LAK', 'PHP',
  'BTN', 'CVE', 'TRY', 'DOP', 'GMD', 'MRU', 'NAD', 'SLE', 'SRD', 'TND', 'TMT', 'YER', 'MGA',
  'ANG', 'AOA', 'FOK', 'HNL',
]); // prettier-ignore

/**
 * Currencies whose prices are written without a minor unit in practice (ISO 4217 minor unit 0,
 * plus HUF, COP, IDR, TWD... whose cents exist on paper only): "24.990" is 24990 pesos.
 */
export const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BIF', 'CLP', 'COP', 'CRC', 'DJF', 'GNF', 'HUF', 'IDR', 'IRR', 'ISK', 'JPY', 'KMF',
  'KRW', 'LAK', 'MGA', 'MMK', 'PYG', 'RWF', 'TWD', 'UGX', 'UZS', 'VND', 'VUV', 'XAF', 'XOF',
  'XPF', 'LBP', 'SYP', 'KHR', 'MNT', 'TZS', 'AMD', 'KZT', 'RSD',
]); // prettier-ignore

/** Currencies whose minor unit has three digits: "1.500 KD" is one and a half dinars. */
export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BHD',
  'IQD',
  'JOD',
  'KWD',
  'LYD',
  'OMR',
  'TND',
]);

const LETTER = /\p{L}/u;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const TOKEN_BY_KEY = new Map<string, CurrencyToken>();
for (const t of TOKENS) TOKEN_BY_KEY.set(t.ci ? t.token.toLowerCase() : t.token, t);

/** Longest first, so "US$" wins over "$" and "руб." over "руб". */
const TOKEN_PATTERN = new RegExp(
  [...TOKENS]
    .sort((a, b) => b.token.length - a.token.length)
    .map((t) => escapeRegExp(t.token))
    .concat('[A-Za-z]{3}')
    .join('|'),
  'giu',
);

export interface CurrencyMatch {
  /** The text as written. */
  text: string;
  index: number;
  end: number;
  /** ISO candidates, most likely first; empty for a non-ISO currency. */
  iso: readonly string[];
  /** An ISO code spelt as a word-like code ("PEN"): only trusted next to the number. */
  weak: boolean;
}

function lookup(text: string): CurrencyToken | undefined {
  const exact = TOKEN_BY_KEY.get(text);
  if (exact) return exact;
  const folded = TOKEN_BY_KEY.get(text.toLowerCase());
  return folded?.ci ? folded : undefined;
}

/** Finds currency symbols, words and ISO codes in `text`, in order of appearance. */
export function findCurrencies(text: string): CurrencyMatch[] {
  const found: CurrencyMatch[] = [];
  TOKEN_PATTERN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_PATTERN.exec(text)) !== null) {
    const raw = m[0];
    const index = m.index;
    const end = index + raw.length;
    // A word-like token must stand alone: "kr" in "kroner" or "TL" in "TLC" is no currency.
    const startsWithLetter = LETTER.test(raw[0]);
    const endsWithLetter = LETTER.test(raw[raw.length - 1]);
    const before = index > 0 ? text[index - 1] : '';
    const after = end < text.length ? text[end] : '';
    if (
      (startsWithLetter && before && LETTER.test(before)) ||
      (endsWithLetter && after && LETTER.test(after))
    ) {
      // Retry one character further so a token inside a word does not hide a later one.
      TOKEN_PATTERN.lastIndex = index + 1;
      continue;
    }
    const token = lookup(raw);
    if (token) {
      found.push({ text: raw, index, end, iso: token.iso, weak: false });
      continue;
    }
    if (/^[A-Za-z]{3}$/.test(raw)) {
      const upper = raw.toUpperCase();
      const isUpper = raw === upper;
      if ((isUpper || LOWERCASE_CODES.has(raw)) && isIsoCurrency(upper)) {
        found.push({
          text: raw,
          index,
          end,
          iso: [upper],
          weak: isUpper && WORDLIKE_CODES.has(upper),
        });
      } else {
        TOKEN_PATTERN.lastIndex = index + 1;
      }
    }
  }
  return found;
}

/**
 * The ISO candidates for a currency as written ("€" → ["EUR"], "kr" → ["SEK","NOK","DKK","ISK"],
 * "EUR" → ["EUR"]); null when the text is not a known currency at all.
 */
export function currencyCandidates(written: string): readonly string[] | null {
  const text = written.trim();
  if (!text) return null;
  const token = lookup(text);
  if (token) return token.iso;
  const upper = text.toUpperCase();
  if (/^[A-Z]{3}$/.test(upper) && isIsoCurrency(upper)) return [upper];
  return null;
}

export interface CurrencyHints {
  /** An ISO code known from the page (JSON-LD priceCurrency) or a text holding a currency. */
  currencyHint?: string | null;
  /** The page language, e.g. "sv-SE". */
  lang?: string | null;
  /** The currency the job expects. */
  jobCurrency?: string | null;
}

/** Country → currency for the regions where a shared symbol ("$", "kr", "¥") needs one. */
const REGION_CURRENCY: Readonly<Record<string, string>> = {
  US: 'USD', CA: 'CAD', AU: 'AUD', NZ: 'NZD', MX: 'MXN', SG: 'SGD', HK: 'HKD', TW: 'TWD',
  AR: 'ARS', CL: 'CLP', CO: 'COP', UY: 'UYU', BR: 'BRL', SE: 'SEK', NO: 'NOK', DK: 'DKK',
  IS: 'ISK', FO: 'DKK', GL: 'DKK', JP: 'JPY', CN: 'CNY', IN: 'INR', PK: 'PKR', LK: 'LKR',
  NP: 'NPR', GB: 'GBP', EG: 'EGP', BY: 'BYN', RU: 'RUB', MD: 'MDL', RO: 'RON', NI: 'NIO',
  ET: 'ETB', AE: 'AED', MA: 'MAD', SA: 'SAR', QA: 'QAR', OM: 'OMR', YE: 'YER', IR: 'IRR',
}; // prettier-ignore

/** Language → currency, used only to break a tie between candidates of an ambiguous symbol. */
const LANGUAGE_CURRENCY: Readonly<Record<string, string>> = {
  sv: 'SEK', nb: 'NOK', nn: 'NOK', no: 'NOK', da: 'DKK', fo: 'DKK', is: 'ISK', ja: 'JPY',
  zh: 'CNY', ur: 'PKR', si: 'LKR', ne: 'NPR', hi: 'INR', be: 'BYN', ru: 'RUB', ro: 'RON',
  ar: 'SAR', fa: 'IRR', am: 'ETB',
}; // prettier-ignore

function isoOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const upper = value.trim().toUpperCase();
  return isIsoCurrency(upper) ? upper : null;
}

/** The candidates a hint text points at: an ISO code, or the first currency written in it. */
export function hintCandidates(hint: string | null | undefined): readonly string[] {
  if (!hint) return [];
  const code = isoOf(hint);
  if (code) return [code];
  const found = findCurrencies(hint.slice(0, 500)).filter((m) => !m.weak);
  return found.length ? found[0].iso : [];
}

/**
 * Chooses one ISO code among a symbol's candidates. The job currency and the page's declared
 * currency win when they are candidates; then the page language's region, then its language;
 * then the most likely candidate.
 */
export function resolveCurrency(
  candidates: readonly string[],
  hints: CurrencyHints = {},
): string | null {
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0];
  const job = isoOf(hints.jobCurrency);
  if (job && candidates.includes(job)) return job;
  for (const c of hintCandidates(hints.currencyHint)) if (candidates.includes(c)) return c;
  const lang = (hints.lang ?? '').trim();
  if (lang) {
    const [language, region] = lang.replace('_', '-').split('-');
    const byRegion = region ? REGION_CURRENCY[region.toUpperCase()] : undefined;
    if (byRegion && candidates.includes(byRegion)) return byRegion;
    const byLanguage = LANGUAGE_CURRENCY[language.toLowerCase()];
    if (byLanguage && candidates.includes(byLanguage)) return byLanguage;
  }
  return candidates[0];
}
