import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractProduct } from './product-extractor';

/** Synthetic pages, one availability pattern each (test/fixtures/extraction/availability). */
const DIR = resolve(__dirname, '../../../test/fixtures/extraction/availability');
const { pages } = JSON.parse(readFileSync(resolve(DIR, 'expected.json'), 'utf8')) as {
  pages: Record<string, { availability: string | null; pattern: string }>;
};

describe('availability patterns (synthetic pages)', () => {
  it.each(Object.entries(pages))('%s', (file, { availability, pattern }) => {
    const html = readFileSync(resolve(DIR, file), 'utf8');
    const r = extractProduct(html, { url: `https://shop.example/${file}` });
    expect({ pattern, availability: r.availability }).toEqual({ pattern, availability });
  });
});
