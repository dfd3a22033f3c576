/**
 * npm run -s extract -- <file.html[.gz]>... [--url URL | --urls map.json]
 * One JSON line per file on stdout; errors on stderr. Reads saved pages only, never the network.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extractProduct } from '@app/extraction';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: extract <file.html[.gz]>... [--url URL | --urls map.json]\n`,
  );
  process.exit(2);
}

const files: string[] = [];
let url: string | undefined;
let urls: Record<string, string> = {};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--url') url = args[++i] ?? usage('--url needs a value');
  else if (a === '--urls') {
    const f = args[++i] ?? usage('--urls needs a file');
    try {
      urls = JSON.parse(readFileSync(f, 'utf8')) as Record<string, string>;
    } catch (e) {
      usage(`cannot read ${f}: ${(e as Error).message}`);
    }
  } else if (a === '--') continue;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else files.push(a);
}
if (!files.length) usage('no input files');

let failed = 0;
for (const file of files) {
  try {
    const raw = readFileSync(file);
    const html = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const base = basename(file);
    const pageUrl =
      url ??
      urls[base] ??
      urls[base.replace(/\.gz$/, '')] ??
      urls[base.replace(/\.html?(\.gz)?$/, '')];
    const r = extractProduct(html, { url: pageUrl });
    process.stdout.write(
      JSON.stringify({
        file,
        price: r.price,
        currency: r.currency,
        availability: r.availability,
        title: r.title,
        source: r.source,
      }) + '\n',
    );
  } catch (e) {
    failed++;
    process.stderr.write(`${file}: ${(e as Error).message}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
