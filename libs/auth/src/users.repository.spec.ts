import type { Repository } from 'typeorm';
import { DependencyUnavailableError } from '@app/platform';
import { AuthConfig } from './auth.config';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/** A stand-in for TypeORM's repository: one user row, a query counter, a switchable outage. */
function fakeOrm() {
  const row = { id: 'u1', email: 'a@example.com', tokenVersion: 0 } as UserEntity;
  const state = { queries: 0, down: false, exists: true };
  const repo = {
    findOne: jest.fn(async () => {
      state.queries++;
      if (state.down) throw new Error('connection refused');
      return state.exists ? { ...row } : null;
    }),
    increment: jest.fn(async () => {
      row.tokenVersion++;
      return { affected: 1 };
    }),
    delete: jest.fn(async () => {
      state.exists = false;
    }),
  };
  return { repo: repo as unknown as Repository<UserEntity>, row, state };
}

function config(ttl: number): AuthConfig {
  return Object.assign(new AuthConfig(), { SESSION_CACHE_TTL_MS: ttl });
}

describe('UsersRepository session lookups', () => {
  afterEach(() => jest.useRealTimers());

  it('asks the database once per user within the TTL, and again after it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { repo, state } = fakeOrm();
    const users = new UsersRepository(repo, config(5000));
    const burst = await Promise.all([1, 2, 3].map(() => users.findSessionUser('u1')));
    expect(burst.every((u) => u?.tokenVersion === 0)).toBe(true);
    await users.findSessionUser('u1');
    expect(state.queries).toBe(1);
    jest.setSystemTime(1_000_000 + 5001);
    await users.findSessionUser('u1');
    expect(state.queries).toBe(2);
  });

  it('forgets a user at once on sign-out in this process, so the old token version is refused', async () => {
    const { repo } = fakeOrm();
    const users = new UsersRepository(repo, config(5000));
    expect((await users.findSessionUser('u1'))?.tokenVersion).toBe(0);
    await users.bumpTokenVersion('u1');
    expect((await users.findSessionUser('u1'))?.tokenVersion).toBe(1);
  });

  it('forgets a deleted user at once', async () => {
    const { repo } = fakeOrm();
    const users = new UsersRepository(repo, config(5000));
    expect(await users.findSessionUser('u1')).not.toBeNull();
    await users.delete('u1');
    expect(await users.findSessionUser('u1')).toBeNull();
  });

  it('never caches a database failure: the next request asks again', async () => {
    const { repo, state } = fakeOrm();
    const users = new UsersRepository(repo, config(5000));
    state.down = true;
    await expect(users.findSessionUser('u1')).rejects.toBeInstanceOf(DependencyUnavailableError);
    state.down = false;
    expect(await users.findSessionUser('u1')).not.toBeNull();
    expect(state.queries).toBe(2);
  });

  it('asks every time when the TTL is 0', async () => {
    const { repo, state } = fakeOrm();
    const users = new UsersRepository(repo, config(0));
    await users.findSessionUser('u1');
    await users.findSessionUser('u1');
    expect(state.queries).toBe(2);
  });
});

describe('UsersRepository.create', () => {
  it('writes the user in one statement, with no transaction whose ROLLBACK a stalled database would hold for a second deadline', async () => {
    const save = jest.fn(async (entity: UserEntity, _options?: object) => ({
      ...entity,
      id: 'u2',
    }));
    const repo = {
      create: (fields: Partial<UserEntity>) => fields as UserEntity,
      save,
    } as unknown as Repository<UserEntity>;
    const users = new UsersRepository(repo, config(0));
    expect((await users.create('b@example.com', 'hash')).id).toBe('u2');
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0][1]).toEqual({ transaction: false });
  });
});
