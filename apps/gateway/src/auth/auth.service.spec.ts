import { DependencyUnavailableError } from '@app/platform';
import {
  EmailTakenError,
  PasswordHasher,
  TokenService,
  UserEntity,
  UsersRepository,
} from '@app/auth';
import { AlertSubscriptions } from './alert-subscriptions';
import { SignInDelays } from './sign-in-delays';
import { AuthService, INVALID_CREDENTIALS, InvalidCredentialsError } from './auth.service';

function fakes(
  opts: {
    topic?: boolean;
    subscribe?: () => Promise<string>;
    setSubscription?: () => Promise<void>;
  } = {},
) {
  const users = new Map<string, UserEntity>();
  const repo = {
    create: jest.fn(async (email: string, passwordHash: string) => {
      if ([...users.values()].some((u) => u.email === email)) throw new EmailTakenError();
      const user = { id: `u${users.size + 1}`, email, passwordHash, tokenVersion: 0 } as UserEntity;
      users.set(user.id, user);
      return user;
    }),
    findByEmail: jest.fn(
      async (email: string) => [...users.values()].find((u) => u.email === email) ?? null,
    ),
    delete: jest.fn(async (id: string) => void users.delete(id)),
    setAlertSubscription: jest.fn(opts.setSubscription ?? (async () => undefined)),
    bumpTokenVersion: jest.fn(async () => true),
  };
  const hasher = {
    hash: jest.fn(async (p: string) => `hash:${p}`),
    verify: jest.fn(async (h: string, p: string) => h === `hash:${p}`),
    verifyDummy: jest.fn(async () => false as const),
  };
  const tokens = { issue: jest.fn(async () => ({ accessToken: 't', expiresAt: 'e' })) };
  const alerts = {
    enabled: opts.topic ?? false,
    subscribe: jest.fn(opts.subscribe ?? (async () => 'arn:sub')),
    unsubscribe: jest.fn(async () => undefined),
  };
  const service = new AuthService(
    repo as unknown as UsersRepository,
    hasher as unknown as PasswordHasher,
    tokens as unknown as TokenService,
    alerts as unknown as AlertSubscriptions,
    new SignInDelays({ freeFailures: 3, maxDelaySeconds: 900 }),
  );
  return { service, users, repo, hasher, alerts };
}

describe('AuthService', () => {
  it('refuses a second sign-up with the same e-mail with 409', async () => {
    const { service } = fakes();
    await service.signUp('a@example.com', 'long enough');
    await expect(service.signUp('a@example.com', 'another one')).rejects.toMatchObject({
      status: 409,
      code: 'EMAIL_TAKEN',
    });
  });

  it('subscribes the e-mail to alerts with the new user id when a topic is configured', async () => {
    const { service, alerts, repo } = fakes({ topic: true });
    const user = await service.signUp('a@example.com', 'long enough');
    expect(alerts.subscribe).toHaveBeenCalledWith('a@example.com', user.id);
    expect(repo.setAlertSubscription).toHaveBeenCalledWith(user.id, 'arn:sub');
  });

  it('undoes the sign-up when the subscription fails, so the e-mail can sign up again', async () => {
    let fail = true;
    const { service, users } = fakes({
      topic: true,
      subscribe: async () => {
        if (fail) throw new Error('SNS down');
        return 'arn:sub';
      },
    });
    await expect(service.signUp('a@example.com', 'long enough')).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(users.size).toBe(0);
    fail = false;
    await expect(service.signUp('a@example.com', 'long enough')).resolves.toMatchObject({
      email: 'a@example.com',
    });
  });

  it('unsubscribes again when storing the subscription fails after subscribing', async () => {
    const { service, users, alerts } = fakes({
      topic: true,
      setSubscription: async () => {
        throw new Error('db down');
      },
    });
    await expect(service.signUp('a@example.com', 'long enough')).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(alerts.unsubscribe).toHaveBeenCalledWith('arn:sub');
    expect(users.size).toBe(0);
  });

  it('answers an unknown e-mail and a wrong password alike, after the same hashing work', async () => {
    const { service, hasher } = fakes();
    await service.signUp('a@example.com', 'long enough');
    const unknown = await service
      .signIn('b@example.com', 'long enough', '192.0.2.1')
      .catch((e: Error) => e);
    const wrong = await service
      .signIn('a@example.com', 'not it', '192.0.2.1')
      .catch((e: Error) => e);
    for (const err of [unknown, wrong]) {
      expect(err).toBeInstanceOf(InvalidCredentialsError);
      expect((err as InvalidCredentialsError).message).toBe(INVALID_CREDENTIALS);
    }
    expect(hasher.verifyDummy).toHaveBeenCalledTimes(1);
    expect(hasher.verify).toHaveBeenCalledTimes(1);
  });

  it('slows repeated wrong passwords for one e-mail with 429, and still lets the owner in from elsewhere', async () => {
    const { service, hasher } = fakes();
    await service.signUp('a@example.com', 'long enough');
    for (let i = 0; i < 3; i++) {
      await expect(service.signIn('a@example.com', 'wrong', '203.0.113.9')).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    await expect(service.signIn('a@example.com', 'wrong', '203.0.113.9')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    const verifiesBefore = hasher.verify.mock.calls.length;
    await expect(
      service.signIn('a@example.com', 'long enough', '203.0.113.9'),
    ).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(hasher.verify.mock.calls.length).toBe(verifiesBefore); // refused before any hashing
    await expect(
      service.signIn('a@example.com', 'long enough', '198.51.100.7'),
    ).resolves.toMatchObject({ accessToken: 't' });
  });
});
