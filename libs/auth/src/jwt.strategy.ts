import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AUTH_CONFIG, AuthConfig, SESSION_COOKIE } from './auth.config';
import { strictClaims } from './tokens';
import { UsersRepository } from './users.repository';

export type AuthSource = 'bearer' | 'cookie';

export interface AuthenticatedUser {
  id: string;
  email: string;
  authSource: AuthSource;
}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
  authSource?: AuthSource;
}

const fromBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Bearer header first, then the session cookie; remembers which, for the cross-site check. */
export function extractToken(req: RequestLike): string | null {
  const bearer = fromBearer(req as never);
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

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    private readonly users: UsersRepository,
  ) {
    super({
      jwtFromRequest: extractToken as never,
      // A KeyObject, imported once: given a string, jsonwebtoken tries createPublicKey (which
      // throws) and then createSecretKey on every verify.
      secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET!)) as unknown as string,
      // Only HS256: a token with alg "none" or an asymmetric algorithm is refused before its claims are read.
      algorithms: ['HS256'],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(req: RequestLike, payload: unknown): Promise<AuthenticatedUser | false> {
    const claims = strictClaims(payload);
    if (!claims) return false;
    // A database outage is not an authentication failure: it surfaces as 503, not 401.
    const user = await this.users.findSessionUser(claims.sub);
    if (!user || user.tokenVersion !== claims.ver) return false;
    return { id: user.id, email: user.email, authSource: req.authSource ?? 'bearer' };
  }
}
