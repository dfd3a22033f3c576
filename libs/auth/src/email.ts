/**
 * One rule for e-mail addresses, used by sign-up, sign-in and the per-e-mail sign-in delay:
 * trimmed, Unicode NFC (so "josé" typed precomposed or with a combining accent is one account),
 * and lower-cased as a whole (existing accounts were stored so).
 */
export function normalizeEmail(value: string): string {
  return value.trim().normalize('NFC').toLowerCase();
}

// Control (Cc), format (Cf: bidi overrides such as U+202E, zero-width joiners, BOM), line and
// paragraph separators, and private-use characters: invisible or able to disguise an address.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;

/**
 * Why a (normalised) address is refused, or undefined when it is acceptable. Compatibility
 * characters (fullwidth "ａ", ligatures, superscripts) are refused rather than folded: an address
 * that NFKC would change is a look-alike of another one, and folding would make two spellings
 * sign in to one account without the user knowing which one mail is delivered to.
 */
export function emailProblem(value: string): string | undefined {
  if (INVISIBLE_OR_CONTROL.test(value)) {
    return 'email must not contain control, invisible or bidirectional-formatting characters';
  }
  if (value.normalize('NFKC') !== value) {
    return 'email must not contain compatibility characters such as fullwidth letters';
  }
  return undefined;
}
