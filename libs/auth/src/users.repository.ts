import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { DependencyUnavailableError, DomainError, ErrorCode } from '@app/platform';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { UserEntity } from './user.entity';

/** What a request's authentication needs of its user. */
export interface SessionUser {
  id: string;
  email: string;
  tokenVersion: number;
}

/** Entries kept at most; past it the oldest go first (a Map iterates in insertion order). */
const SESSION_CACHE_MAX = 10_000;

export class EmailTakenError extends DomainError {
  override readonly name = 'EmailTakenError';
  readonly status = 409;
  readonly code = ErrorCode.EMAIL_TAKEN;
  constructor() {
    super('An account with this e-mail already exists');
  }
}

/** Every database failure other than a constraint the caller can act on. */
function unavailable(err: unknown): never {
  throw new DependencyUnavailableError('database', err);
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersRepository {
  /** Settled lookups (and lookups in flight, so a burst for one user is one query). */
  private readonly sessions = new Map<
    string,
    { expiresAt: number; user: Promise<SessionUser | null> }
  >();

  constructor(
    @InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * The user behind a verified token, reused for SESSION_CACHE_TTL_MS (≤ 5 s): authenticated
   * requests then cost no database round trip. Failures are not cached.
   */
  findSessionUser(id: string): Promise<SessionUser | null> {
    const ttl = this.config.SESSION_CACHE_TTL_MS;
    const now = Date.now();
    const hit = this.sessions.get(id);
    if (hit && hit.expiresAt > now) return hit.user;
    const user = this.repo
      .findOne({ where: { id }, select: { id: true, email: true, tokenVersion: true } })
      .then((u) => (u ? { id: u.id, email: u.email, tokenVersion: u.tokenVersion } : null))
      .catch(unavailable);
    if (ttl > 0) {
      this.sessions.delete(id);
      if (this.sessions.size >= SESSION_CACHE_MAX) {
        this.sessions.delete(this.sessions.keys().next().value!);
      }
      this.sessions.set(id, { expiresAt: now + ttl, user });
      user.catch(() => this.forgetSession(id, user));
    }
    return user;
  }

  private forgetSession(id: string, user?: Promise<SessionUser | null>): void {
    if (!user || this.sessions.get(id)?.user === user) this.sessions.delete(id);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { email } }).catch(unavailable);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } }).catch(unavailable);
  }

  async create(email: string, passwordHash: string): Promise<UserEntity> {
    try {
      // One INSERT is atomic on its own. The transaction save() would open costs two more round
      // trips, and when the database stalls its ROLLBACK waits out a second query deadline: a
      // sign-up then answered 503 only after twice DATABASE_QUERY_TIMEOUT_MS (fault suite).
      return await this.repo.save(this.repo.create({ email, passwordHash }), {
        transaction: false,
      });
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError();
      }
      return unavailable(err);
    }
  }

  async setAlertSubscription(id: string, arn: string | null): Promise<void> {
    await this.repo.update({ id }, { alertSubscriptionArn: arn }).catch(unavailable);
  }

  async delete(id: string): Promise<void> {
    this.forgetSession(id);
    await this.repo.delete({ id }).catch(unavailable);
    this.forgetSession(id);
  }

  /** Revokes every token issued so far; returns false when the user does not exist. */
  async bumpTokenVersion(id: string): Promise<boolean> {
    this.forgetSession(id);
    const res = await this.repo.increment({ id }, 'tokenVersion', 1).catch(unavailable);
    // Forget again: a lookup that started before the increment may have cached the old version.
    this.forgetSession(id);
    return (res.affected ?? 0) > 0;
  }
}
