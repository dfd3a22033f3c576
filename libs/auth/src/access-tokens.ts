import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { AUTH_CONFIG, AuthConfig, SESSION_COOKIE } from './auth.config';
import { AccessTokenClaims, strictClaims } from './tokens';
import { UsersRepository } from './users.repository';

export type AuthSource = 'bearer' | 'cookie';

export interface AuthenticatedUser {
  id: string;
  email: string;
  authSource: AuthSource;
}

export interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
  authSource?: AuthSource;
}

/** `Authorization: Bearer <token>`, the scheme in any case, exactly two parts. */
const BEARER = /^bearer\s+(\S+)$/i;

/** Bearer header first, then the session cookie; remembers which, for the cross-site check. */
export function extractToken(req: RequestLike): string | null {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
  if (bearer) {
    req.authSource = 'bearer';
    return bearer;
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie) {
    req.authSource = 'cookie';
    return cookie;
  }
  return null;
}

/** Verified tokens kept at most; past it the oldest go first (a Map iterates in insertion order). */
const VERIFIED_MAX = 10_000;

/**
 * Verifies access tokens and finds the user behind them, for the JWT guard.
 *
 * A token is verified once (HS256 only, issuer, audience, expiry, then the strict claims) and the
 * outcome kept by the exact token text until the token expires: the same text signed by the same
 * key verifies the same way every time, so a repeat only needs its expiry checked again. Only
 * tokens that passed are kept (a stream of forged tokens fills nothing). Revocation does not
 * depend on this: the user's token version is compared on every request, against
 * UsersRepository's session cache (SESSION_CACHE_TTL_MS, at most 5 s).
 */
@Injectable()
export class AccessTokenVerifier {
  /** A KeyObject, imported once: given a string, jsonwebtoken imports the key on every verify. */
  private readonly key: KeyObject;
  private readonly verified = new Map<string, AccessTokenClaims & { exp: number }>();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly jwt: JwtService,
    private readonly users: UsersRepository,
  ) {
    this.key = createSecretKey(Buffer.from(config.JWT_SECRET!));
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  claims(token: string): AccessTokenClaims | undefined {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const hit = this.verified.get(token);
    if (hit) {
      // As jsonwebtoken decides expiry: expired once the current second reaches exp.
      if (nowSeconds < hit.exp) return { sub: hit.sub, ver: hit.ver };
      this.verified.delete(token);
      return undefined;
    }
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        secret: this.key as unknown as string,
        // Only HS256: a token with alg "none" or an asymmetric algorithm is refused before its claims are read.
        algorithms: ['HS256'],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        ignoreExpiration: false,
      });
    } catch {
      return undefined;
    }
    const claims = strictClaims(payload);
    if (!claims) return undefined;
    const exp = (payload as { exp: number }).exp;
    if (this.verified.size >= VERIFIED_MAX) {
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, { ...claims, exp });
    return claims;
  }

  /**
   * The signed-in user of a request, or undefined when it carries no valid token or the token was
   * revoked (signed out, user deleted). A database outage throws DependencyUnavailableError (503).
   */
  async authenticate(req: RequestLike): Promise<AuthenticatedUser | undefined> {
    const token = extractToken(req);
    if (!token) return undefined;
    const claims = this.claims(token);
    if (!claims) return undefined;
    const user = await this.users.findSessionUser(claims.sub);
    if (!user || user.tokenVersion !== claims.ver) return undefined;
    return { id: user.id, email: user.email, authSource: req.authSource ?? 'bearer' };
  }
}
