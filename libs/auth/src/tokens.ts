import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AUTH_CONFIG, AuthConfig } from './auth.config';

export interface AccessTokenClaims {
  sub: string;
  /** The user's token version when issued; sign-out bumps it and revokes older tokens. */
  ver: number;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: string;
}

/** Issues HS256 tokens with issuer, audience and expiry. Verification lives in the JWT strategy. */
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
