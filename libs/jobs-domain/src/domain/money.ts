/**
 * Exact money: amounts are decimal strings ("1299.00"), never floats. Arithmetic needed by the
 * domain (comparison, normalisation) is done on BigInt in minor units of a fixed scale.
 */
/** A plain non-negative decimal: at most 15 integer and 6 fraction digits, no sign, no exponent. */
export const DECIMAL_PATTERN = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,6})?$/;
const SCALE = 6;

/** True when `value` is a plain non-negative decimal with at most 15 integer and 6 fraction digits. */
export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

function toScaled(value: string): bigint {
  if (!isDecimalString(value))
    throw new RangeError(`not an exact decimal: ${JSON.stringify(value)}`);
  const [int, frac = ''] = value.split('.');
  return BigInt(int + frac.padEnd(SCALE, '0'));
}

/** -1, 0 or 1, like a comparator. */
export function compareDecimal(a: string, b: string): number {
  const x = toScaled(a);
  const y = toScaled(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Canonical form: no leading zeros, trailing fraction zeros trimmed to at least `minFraction` digits. */
export function normalizeDecimal(value: string, minFraction = 2): string {
  const scaled = toScaled(value);
  const digits = scaled.toString().padStart(SCALE + 1, '0');
  const int = digits.slice(0, -SCALE);
  let frac = digits.slice(-SCALE).replace(/0+$/, '');
  if (frac.length < minFraction) frac = frac.padEnd(minFraction, '0');
  return frac ? `${int}.${frac}` : int;
}

export function isPositiveDecimal(value: string): boolean {
  return isDecimalString(value) && toScaled(value) > 0n;
}

/** Most significant digits a JSON number may carry and still name one exact decimal. */
export const MAX_JSON_NUMBER_DIGITS = 15;

/**
 * The exact decimal a JSON number stands for, read from its shortest round-trip text
 * (`String(n)`: 19.99 is "19.99", not 19.989999999999998436805981327779591083526611328125), when
 * that text has at most 15 significant digits and no exponent. Any double with at most 15
 * significant digits round-trips through that text, so the client's decimal is recovered exactly;
 * beyond 15 digits (0.1 + 0.2) or in exponent form (1e-7, 1e+21) it is not, and undefined tells
 * the caller to ask for a string.
 */
export function decimalFromJsonNumber(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const text = String(n);
  if (/e/i.test(text)) return undefined;
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= MAX_JSON_NUMBER_DIGITS ? text : undefined;
}
