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
