import { Injectable, Logger } from '@nestjs/common';
import { IssuedToken, PasswordHasher, TokenService, UsersRepository } from '@app/auth';
import { DependencyUnavailableError, DomainError, ErrorCode } from '@app/platform';
import { AlertSubscriptions } from './alert-subscriptions';
import { RateLimitedError } from './auth-throttler.guard';
import { SignInDelays } from './sign-in-delays';
import { UserDto } from './auth.dto';

export const INVALID_CREDENTIALS = 'Invalid e-mail or password';

/** The same error for an unknown e-mail and a wrong password. */
export class InvalidCredentialsError extends DomainError {
  readonly status = 401;
  readonly code = ErrorCode.INVALID_CREDENTIALS;
  constructor() {
    super(INVALID_CREDENTIALS);
  }
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly alerts: AlertSubscriptions,
    private readonly delays: SignInDelays,
  ) {}

  /**
   * Creates the user, then (when a topic is configured) subscribes the e-mail to price alerts.
   * If the subscription fails the user is removed again, so the same e-mail can sign up later.
   */
  async signUp(email: string, password: string): Promise<UserDto> {
    const hash = await this.hasher.hash(password);
    const user = await this.users.create(email, hash);
    if (this.alerts.enabled) {
      let arn: string | undefined;
      try {
        arn = await this.alerts.subscribe(email, user.id);
        await this.users.setAlertSubscription(user.id, arn);
      } catch (err) {
        this.logger.error({ err, userId: user.id }, 'alert subscription failed; undoing sign-up');
        if (arn) await this.alerts.unsubscribe(arn).catch(() => undefined);
        await this.users.delete(user.id);
        throw new DependencyUnavailableError('sns', err);
      }
    }
    return { id: user.id, email: user.email };
  }

  /**
   * Same answer and comparable work for an unknown e-mail and a wrong password. Failures make the
   * next attempt for the e-mail wait longer (SignInDelays); a success clears the count.
   */
  async signIn(email: string, password: string, clientIp: string): Promise<IssuedToken> {
    const wait = this.delays.waitSeconds(email, clientIp);
    if (wait > 0) throw new RateLimitedError(wait);
    const user = await this.users.findByEmail(email);
    const ok = user
      ? await this.hasher.verify(user.passwordHash, password)
      : await this.hasher.verifyDummy(password);
    if (!user || !ok) {
      this.delays.recordFailure(email, clientIp);
      throw new InvalidCredentialsError();
    }
    this.delays.recordSuccess(email, clientIp);
    return this.tokens.issue(user.id, user.tokenVersion);
  }

  async signOut(userId: string): Promise<void> {
    await this.users.bumpTokenVersion(userId);
  }
}
