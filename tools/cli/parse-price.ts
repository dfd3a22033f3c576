/**
 * npm run -s parse-price < cases.jsonl
 * Reads JSON lines {priceText, currencyHint} and prints one JSON line {amount, currency} each.
 * A line that is not valid JSON prints {"amount":null,"currency":null} (so output lines stay
 * aligned with input lines) and an error on stderr.
 */
import { createInterface } from 'node:readline';
import { parseMoney } from '@app/extraction';

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
let n = 0;
rl.on('line', (line) => {
  n++;
  if (!line.trim()) return;
  let out = { amount: null as string | null, currency: null as string | null };
  try {
    const input = JSON.parse(line) as { priceText?: unknown; currencyHint?: unknown };
    const text = typeof input.priceText === 'string' ? input.priceText : '';
    const hint = typeof input.currencyHint === 'string' ? input.currencyHint : null;
    out = parseMoney(text, { currencyHint: hint });
  } catch (e) {
    process.stderr.write(`line ${n}: ${(e as Error).message}\n`);
  }
  process.stdout.write(JSON.stringify({ amount: out.amount, currency: out.currency }) + '\n');
});
