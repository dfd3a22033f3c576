import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { plainToInstance } from 'class-transformer';
import { IsInt, IsString, IsUUID, Min, validateSync } from 'class-validator';
import { AUTH_CONFIG, AuthConfig } from './auth.config';

export interface AccessTokenClaims {
  sub: string;
  /** The user's token version when issued; sign-out bumps it and revokes older tokens. */
  ver: number;
}

/**
 * The claims of a verified token, checked as strictly as a request body: a token that is signed
 * but carries a non-UUID subject, no expiry or any claim we never issue is refused (401), before
 * its subject reaches the database.
 */
class VerifiedClaims {
  @IsUUID()
  sub!: string;

  @IsInt()
  @Min(0)
  ver!: number;

  @IsInt()
  iat!: number;

  @IsInt()
  exp!: number;

  @IsString()
  iss!: string;

  @IsString()
  aud!: string;
}

/** The claims when they have exactly the shape TokenService issues; undefined otherwise. */
export function strictClaims(payload: unknown): AccessTokenClaims | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const claims = plainToInstance(VerifiedClaims, payload);
  const errors = validateSync(claims, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? { sub: claims.sub, ver: claims.ver } : undefined;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: string;
}

/** Issues HS256 tokens with issuer, audience and expiry. Verification lives in AccessTokenVerifier (access-tokens.ts). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async issue(userId: string, tokenVersion: number): Promise<IssuedToken> {
    const claims: AccessTokenClaims = { sub: userId, ver: tokenVersion };
    const accessToken = await this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      issuer: this.config.JWT_ISSUER,
      audience: this.config.JWT_AUDIENCE,
      expiresIn: this.config.JWT_TTL_SECONDS,
    });
    const expiresAt = new Date(Date.now() + this.config.JWT_TTL_SECONDS * 1000).toISOString();
    return { accessToken, expiresAt };
  }
}
