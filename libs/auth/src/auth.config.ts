// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { CrossChecked, PRINTABLE, RuntimeConfig, toBool } from '@app/platform';

/**
 * Authentication settings. JWT_SECRET is required outside development and test (the local stack
 * generates one and keeps it under .data/); at least 32 bytes.
 */
export class AuthConfig implements CrossChecked {
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 bytes' })
  JWT_SECRET?: string;

  @Matches(PRINTABLE, { message: 'JWT_ISSUER must be printable ASCII' })
  JWT_ISSUER: string = 'pricewatch';

  @Matches(PRINTABLE, { message: 'JWT_AUDIENCE must be printable ASCII' })
  JWT_AUDIENCE: string = 'pricewatch-api';

  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  JWT_TTL_SECONDS: number = 24 * 3600;

  /** "auto": Secure cookies except when serving plain http on localhost. */
  @IsIn(['auto', 'true', 'false'])
  COOKIE_SECURE: string = 'auto';

  /** Extra origins (scheme://host[:port]) allowed to make cookie-authenticated unsafe requests. */
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s/,]+\s*(,\s*https?:\/\/[^\s/,]+\s*)*$/, {
    message: 'PUBLIC_ORIGINS must be a comma list of origins such as https://example.com',
  })
  PUBLIC_ORIGINS?: string;

  @IsInt()
  @Min(1024)
  ARGON2_MEMORY_KIB: number = 19456;

  @IsInt()
  @Min(1)
  @Max(10)
  ARGON2_TIME_COST: number = 2;

  /**
   * How long a verified token's user (id, e-mail, token version) is reused without asking
   * PostgreSQL again. Bounds how long a signed-out or deleted user's token still works on another
   * gateway process; the process that signs out forgets at once. 0 = ask on every request.
   */
  @IsInt()
  @Min(0)
  @Max(5000)
  SESSION_CACHE_TTL_MS: number = 5000;

  crossCheck(runtime: RuntimeConfig): string[] {
    if (!this.JWT_SECRET && runtime.production) {
      return ['JWT_SECRET: required in production (at least 32 bytes)'];
    }
    if (this.JWT_SECRET && Buffer.byteLength(this.JWT_SECRET) < 32) {
      return ['JWT_SECRET: must be at least 32 bytes'];
    }
    return [];
  }
}

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

/** The users database (the gateway's; migrations run through `main.js migrate`). */
export class DatabaseConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** TLS to the database, with certificate verification. */
  @Transform(toBool)
  @IsBoolean()
  DATABASE_SSL: boolean = false;

  /** Connections per process. */
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * Client-side deadline of one query (and of waiting for a pooled connection): a stalled server
   * or network fails the request with 503 at this bound instead of holding it. The server-side
   * statement_timeout is set just below it, so a slow query is cancelled on the server too.
   */
  @IsInt()
  @Min(100)
  @Max(120000)
  DATABASE_QUERY_TIMEOUT_MS: number = 5000;
}
export const SESSION_COOKIE = 'pw_session';
