import { decodeBody } from './charset';

describe('decodeBody', () => {
  const euroLatin = Buffer.concat([
    Buffer.from('<p>12,50 '),
    Buffer.from([0x80]),
    Buffer.from('</p>'),
  ]);

  it('uses the Content-Type charset (latin1 decodes as windows-1252, like browsers)', () => {
    expect(decodeBody(euroLatin, 'text/html; charset=ISO-8859-1')).toBe('<p>12,50 €</p>');
    expect(decodeBody(euroLatin, 'text/html; charset="windows-1252"')).toBe('<p>12,50 €</p>');
  });

  it('falls back to <meta charset> and <meta http-equiv>', () => {
    const meta = Buffer.concat([Buffer.from('<meta charset="windows-1252">'), euroLatin]);
    expect(decodeBody(meta, 'text/html')).toContain('12,50 €');
    const equiv = Buffer.concat([
      Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=latin1">'),
      euroLatin,
    ]);
    expect(decodeBody(equiv)).toContain('12,50 €');
  });

  it('defaults to UTF-8, replaces invalid bytes, ignores unknown labels', () => {
    expect(decodeBody(Buffer.from('1.299,99 €'), undefined)).toBe('1.299,99 €');
    expect(decodeBody(euroLatin, 'text/html; charset=x-bogus')).toBe('<p>12,50 \ufffd</p>');
  });

  it('lets a BOM win over the header', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('€')]);
    expect(decodeBody(bom, 'text/html; charset=windows-1252')).toBe('€');
  });
});
