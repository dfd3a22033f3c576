import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { JwtAuthGuard } from './jwt-auth.guard';
import { AccessTokenVerifier } from './access-tokens';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './tokens';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/** Users, password hashing, token issue and verification. Needs TypeOrmModule.forRoot in the app. */
@Global()
@Module({})
export class AuthModule {
  /** `config` is the app's validated `auth` section. */
  static forRoot(config: AuthConfig): DynamicModule {
    if (!config.JWT_SECRET) {
      // Development without a configured secret: an ephemeral one, so tokens die with the process.
      config.JWT_SECRET = randomBytes(48).toString('base64url');
      new Logger('Auth').warn('JWT_SECRET not set: using an ephemeral secret (development only)');
    }
    return {
      global: true,
      module: AuthModule,
      imports: [
        JwtModule.register({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
        TypeOrmModule.forFeature([UserEntity]),
      ],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        {
          provide: PasswordHasher,
          useFactory: () =>
            new PasswordHasher({
              memoryCostKiB: config.ARGON2_MEMORY_KIB,
              timeCost: config.ARGON2_TIME_COST,
              parallelism: 1,
            }),
        },
        TokenService,
        AccessTokenVerifier,
        JwtAuthGuard,
        UsersRepository,
      ],
      exports: [
        AUTH_CONFIG,
        PasswordHasher,
        TokenService,
        AccessTokenVerifier,
        JwtAuthGuard,
        UsersRepository,
      ],
    };
  }
}
