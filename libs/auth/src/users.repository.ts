import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { DependencyUnavailableError, DomainError, ErrorCode } from '@app/platform';
import { UserEntity } from './user.entity';

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
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { email } }).catch(unavailable);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } }).catch(unavailable);
  }

  async create(email: string, passwordHash: string): Promise<UserEntity> {
    try {
      return await this.repo.save(this.repo.create({ email, passwordHash }));
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
    await this.repo.delete({ id }).catch(unavailable);
  }

  /** Revokes every token issued so far; returns false when the user does not exist. */
  async bumpTokenVersion(id: string): Promise<boolean> {
    const res = await this.repo.increment({ id }, 'tokenVersion', 1).catch(unavailable);
    return (res.affected ?? 0) > 0;
  }
}
