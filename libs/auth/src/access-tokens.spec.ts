import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import type { Repository } from 'typeorm';
import { AccessTokenVerifier, extractToken, type RequestLike } from './access-tokens';
import { AuthConfig } from './auth.config';
import { TokenService } from './tokens';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

const SECRET = 'x'.repeat(48);
const USER_ID = '0b6f7a5e-4a43-4a53-9d36-2a8f0e9f1c11';

function setup() {
  const config = Object.assign(new AuthConfig(), {
    JWT_SECRET: SECRET,
    JWT_TTL_SECONDS: 600,
    SESSION_CACHE_TTL_MS: 0,
  });
  const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' } });
  const row = { id: USER_ID, email: 'a@example.com', tokenVersion: 0 };
  const repo = { findOne: jest.fn(async () => ({ ...row })) };
  const users = new UsersRepository(repo as unknown as Repository<UserEntity>, config);
  const verify = jest.spyOn(jwt, 'verify');
  return {
    verifier: new AccessTokenVerifier(config, jwt, users),
    issuer: new TokenService(jwt, config),
    verify,
    row,
  };
}

const bearer = (token: string): RequestLike => ({ headers: { authorization: `Bearer ${token}` } });

/** A token with the right shape signed by `key`, with `header` and `claims` as given. */
function forge(header: object, claims: object, key: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part(header)}.${part(claims)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('AccessTokenVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies a token once and then only checks its expiry, until it expires', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1), doNotFake: ['nextTick', 'setImmediate'] });
    const { verifier, issuer, verify } = setup();
    const { accessToken } = await issuer.issue(USER_ID, 0);
    for (let i = 0; i < 3; i++) {
      await expect(verifier.authenticate(bearer(accessToken))).resolves.toEqual({
        id: USER_ID,
        email: 'a@example.com',
        authSource: 'bearer',
      });
    }
    expect(verify).toHaveBeenCalledTimes(1);
    // exp = iat + 600: refused from that second on, from the cache too.
    jest.setSystemTime(Date.UTC(2026, 0, 1) + 599_999);
    await expect(verifier.authenticate(bearer(accessToken))).resolves.toBeDefined();
    jest.setSystemTime(Date.UTC(2026, 0, 1) + 600_000);
    await expect(verifier.authenticate(bearer(accessToken))).resolves.toBeUndefined();
    await expect(verifier.authenticate(bearer(accessToken))).resolves.toBeUndefined();
  });

  it('refuses a token whose version was bumped (signed out), though its signature was cached', async () => {
    const { verifier, issuer, row } = setup();
    const { accessToken } = await issuer.issue(USER_ID, 0);
    await expect(verifier.authenticate(bearer(accessToken))).resolves.toBeDefined();
    row.tokenVersion = 1;
    await expect(verifier.authenticate(bearer(accessToken))).resolves.toBeUndefined();
  });

  it('refuses forged, tampered and unsigned tokens, every time', async () => {
    const { verifier, issuer, verify } = setup();
    const { accessToken } = await issuer.issue(USER_ID, 0);
    const [h, p, s] = accessToken.split('.');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: USER_ID,
      ver: 0,
      iat: now,
      exp: now + 600,
      iss: 'pricewatch',
      aud: 'pricewatch-api',
    };
    const admin = Buffer.from(JSON.stringify({ ...claims, ver: 0, admin: true })).toString(
      'base64url',
    );
    const bad = [
      `${h}.${admin}.${s}`, // claims changed, signature kept
      `${h}.${p}.${s.slice(0, -2)}AA`, // signature changed
      forge({ alg: 'HS256', typ: 'JWT' }, claims, 'y'.repeat(48)), // another key
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`,
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'other' }, SECRET),
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 1 }, SECRET),
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, extra: 1 }, SECRET), // not strict claims
      'not.a.token',
    ];
    for (let round = 0; round < 2; round++) {
      for (const token of bad) {
        await expect(verifier.authenticate(bearer(token))).resolves.toBeUndefined();
      }
    }
    // Nothing refused was remembered: each was verified (and refused) again.
    expect(verify).toHaveBeenCalledTimes(bad.length * 2);
  });
});

describe('extractToken', () => {
  it('takes the bearer token first, then the session cookie, and remembers which', () => {
    const both: RequestLike = {
      headers: { authorization: 'bearer abc' },
      cookies: { pw_session: 'def' },
    };
    expect(extractToken(both)).toBe('abc');
    expect(both.authSource).toBe('bearer');
    const cookie: RequestLike = { headers: {}, cookies: { pw_session: 'def' } };
    expect(extractToken(cookie)).toBe('def');
    expect(cookie.authSource).toBe('cookie');
  });

  it.each(['Basic abc', 'Bearer', 'Bearer a b', 'abc'])('finds no token in "%s"', (value) => {
    expect(extractToken({ headers: { authorization: value } })).toBeNull();
  });
});
