/** ISO 4217 codes, as known to the runtime's ICU data (Node ships full ICU). */
const ISO_4217: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isIsoCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && ISO_4217.has(code);
}
