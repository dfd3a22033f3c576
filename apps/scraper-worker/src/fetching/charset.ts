import { TextDecoder } from 'node:util';

/** How far into the body a <meta charset> is looked for (the HTML spec's prescan uses 1024). */
const META_SCAN_BYTES = 4096;

function charsetFromContentType(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([\w.:-]{1,40})"?/i.exec(contentType ?? '');
  return m ? m[1] : null;
}

function charsetFromMeta(head: string): string | null {
  const direct = /<meta[^>]{0,200}?\scharset\s*=\s*["']?\s*([\w.:-]{1,40})/i.exec(head);
  if (direct) return direct[1];
  const equiv =
    /<meta[^>]{0,200}?content\s*=\s*["'][^"']{0,100}?charset\s*=\s*([\w.:-]{1,40})/i.exec(head);
  return equiv ? equiv[1] : null;
}

function metaCharset(buf: Buffer): string | null {
  const label = charsetFromMeta(buf.subarray(0, META_SCAN_BYTES).toString('latin1'));
  // A page that could be scanned as ASCII is not UTF-16, whatever its <meta> says (HTML spec).
  return label && /^utf-?16/i.test(label) ? 'utf-8' : label;
}

function bomCharset(buf: Buffer): string | null {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf-8';
  if (buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
  if (buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
  return null;
}

function decoderFor(label: string | null): TextDecoder | null {
  if (!label) return null;
  try {
    // WHATWG labels: latin1 and iso-8859-1 decode as windows-1252, as browsers do.
    return new TextDecoder(label.toLowerCase());
  } catch {
    return null;
  }
}

/**
 * Body bytes to text the way a browser would pick the encoding: BOM, then the Content-Type
 * charset, then a <meta> in the first bytes, then UTF-8. Invalid bytes become U+FFFD, never throw.
 */
export function decodeBody(buf: Buffer, contentType?: string): string {
  const decoder =
    decoderFor(bomCharset(buf)) ??
    decoderFor(charsetFromContentType(contentType)) ??
    decoderFor(metaCharset(buf)) ??
    new TextDecoder('utf-8');
  return decoder.decode(buf);
}
