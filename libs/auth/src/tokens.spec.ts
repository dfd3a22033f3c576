import { strictClaims } from './tokens';

describe('strictClaims', () => {
  const now = Math.floor(Date.now() / 1000);
  const good = {
    sub: '0b6f7a5e-4a43-4a53-9d36-2a8f0e9f1c11',
    ver: 0,
    iat: now,
    exp: now + 600,
    iss: 'pricewatch',
    aud: 'pricewatch-api',
  };

  it('accepts the claims TokenService issues', () => {
    expect(strictClaims(good)).toEqual({ sub: good.sub, ver: 0 });
  });

  it.each([
    ['a subject that is not a UUID', { ...good, sub: "1' OR '1'='1" }],
    ['a numeric subject', { ...good, sub: 42 }],
    ['no expiry', { ...good, exp: undefined }],
    ['a fractional token version', { ...good, ver: 0.5 }],
    ['a negative token version', { ...good, ver: -1 }],
    ['a version as a string', { ...good, ver: '0' }],
    ['an audience list', { ...good, aud: ['pricewatch-api', 'other'] }],
    ['a claim never issued', { ...good, admin: true }],
    ['no issuer', { ...good, iss: undefined }],
  ])('refuses %s', (_, claims) => {
    expect(strictClaims(JSON.parse(JSON.stringify(claims)))).toBeUndefined();
  });

  it('refuses payloads that are not objects', () => {
    for (const p of [null, 'sub', 1, [good]]) expect(strictClaims(p)).toBeUndefined();
  });
});
