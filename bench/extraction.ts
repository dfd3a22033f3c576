/**
 * CPU time of extractProduct per page over the saved corpus: npx tsx bench/extraction.ts [rounds]
 * Decompression and file reads are outside the measured span.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extractProduct } from '@app/extraction';

const dir = resolve(__dirname, '../../shared/corpus/pages');
const manifest = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8')) as {
  pages: { file: string; url: string | null }[];
};
const pages = manifest.pages.map((p) => ({
  ...p,
  html: gunzipSync(readFileSync(resolve(dir, p.file))).toString('utf8'),
}));
const rounds = Number.parseInt(process.argv[2] ?? '3', 10) || 3;

// One warm-up pass so JIT compilation is not billed to the first pages.
for (const p of pages) extractProduct(p.html, { url: p.url ?? undefined });

const perPage: number[] = [];
for (const p of pages) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    extractProduct(p.html, { url: p.url ?? undefined });
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  perPage.push(best);
}
const sorted = [...perPage].sort((a, b) => a - b);
const pct = (q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const kb = pages.map((p) => p.html.length / 1024).sort((a, b) => a - b);
console.log(`pages: ${pages.length} (median size ${kb[Math.floor(kb.length / 2)].toFixed(0)} KiB)`);
console.log(
  `CPU ms/page (best of ${rounds}): median ${pct(0.5).toFixed(1)}, p95 ${pct(0.95).toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)}`,
);
