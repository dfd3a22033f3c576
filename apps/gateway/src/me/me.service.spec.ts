import {
  CheckQueue,
  EgressConfig,
  InvalidWebhookUrlError,
  ProfilesRepository,
  UserProfile,
  WebhookNotSetError,
  WebhookTest,
  WebhookTestRefusal,
} from '@app/jobs-domain';
import { DependencyUnavailableError } from '@app/platform';
import { RateLimitedError } from '../auth/auth-throttler.guard';
import { MeService, WEBHOOK_TEST_MIN_INTERVAL_MS } from './me.service';

/** A ProfilesRepository that keeps profiles in a map. */
function fakeProfiles(initial: UserProfile[] = []) {
  const store = new Map(initial.map((p) => [p.userId, p]));
  const repo = {
    get: jest.fn(async (userId: string) => store.get(userId) ?? { userId }),
    setWebhook: jest.fn(async (userId: string, webhookUrl: string | undefined) => {
      // As the real one: a new URL drops the last test.
      store.set(userId, { userId, webhookUrl });
    }),
    startWebhookTest: jest.fn(
      async (
        userId: string,
        test: Pick<WebhookTest, 'testId' | 'requestedAt'>,
        minIntervalMs: number,
      ): Promise<WebhookTest | WebhookTestRefusal> => {
        const p = store.get(userId);
        if (!p?.webhookUrl) return { refused: 'no_webhook' };
        const last = p.webhookTest && Date.parse(p.webhookTest.requestedAt);
        if (last && Date.parse(test.requestedAt) - last < minIntervalMs)
          return { refused: 'too_soon', retryAt: last + minIntervalMs };
        const pending: WebhookTest = { ...test, state: 'pending' };
        store.set(userId, { ...p, webhookTest: pending });
        return pending;
      },
    ),
    finishWebhookTest: jest.fn(async () => true),
  };
  const queue = { sendMessage: jest.fn(async (_item: object) => undefined) };
  return { repo, store, queue, service: service(repo, '', queue) };
}

function service(repo: object, allowHosts = '', queue: object = {}) {
  return new MeService(
    repo as unknown as ProfilesRepository,
    queue as unknown as CheckQueue,
    Object.assign(new EgressConfig(), { EGRESS_ALLOW_HOSTS: allowHosts }),
  );
}

describe('MeService', () => {
  it('stores a webhook in its normalised form', async () => {
    const { service, store } = fakeProfiles();
    await expect(
      service.update('u1', { webhookUrl: 'HTTPS://Hooks.Example.com/x' }),
    ).resolves.toEqual({ userId: 'u1', webhookUrl: 'https://hooks.example.com/x' });
    expect(store.get('u1')?.webhookUrl).toBe('https://hooks.example.com/x');
  });

  it.each([
    ['a private address', 'http://10.0.0.1/hook', /webhookUrl must not point to a private/],
    ['the metadata service', 'http://169.254.169.254/latest', /webhookUrl must not point/],
    ['loopback by name', 'http://localhost:8080/hook', /webhookUrl must point to a public host/],
    ['another scheme', 'file:///etc/passwd', /webhookUrl must use http or https/],
    ['credentials', 'https://user:pw@hooks.example.com/x', /webhookUrl must not contain/],
    ['not a URL', 'hooks', /webhookUrl must be an absolute http or https URL/],
  ])(
    'refuses %s with INVALID_WEBHOOK_URL and keeps the stored webhook',
    async (_, url, message) => {
      const before = { userId: 'u1', webhookUrl: 'https://hooks.example.com/old' };
      const { service, repo, store } = fakeProfiles([before]);
      const failure = service.update('u1', { webhookUrl: url });
      await expect(failure).rejects.toBeInstanceOf(InvalidWebhookUrlError);
      await expect(failure).rejects.toMatchObject({ status: 400, code: 'INVALID_WEBHOOK_URL' });
      await expect(failure).rejects.toThrow(message);
      expect(repo.setWebhook).not.toHaveBeenCalled();
      expect(store.get('u1')).toEqual(before);
    },
  );

  it('lets EGRESS_ALLOW_HOSTS name a local webhook, as for tracked pages', async () => {
    const { repo } = fakeProfiles();
    const allowed = service(repo, '127.0.0.1:9000');
    await expect(allowed.update('u1', { webhookUrl: 'http://127.0.0.1:9000/h' })).resolves.toEqual({
      userId: 'u1',
      webhookUrl: 'http://127.0.0.1:9000/h',
    });
  });

  it('removes the webhook on null and leaves it alone when the field is absent', async () => {
    const { service, repo, store } = fakeProfiles([
      { userId: 'u1', webhookUrl: 'https://hooks.example.com/x' },
    ]);
    await expect(service.update('u1', {})).resolves.toEqual({
      userId: 'u1',
      webhookUrl: 'https://hooks.example.com/x',
    });
    expect(repo.setWebhook).not.toHaveBeenCalled();
    await expect(service.update('u1', { webhookUrl: null })).resolves.toEqual({
      userId: 'u1',
      webhookUrl: undefined,
    });
    expect(store.get('u1')?.webhookUrl).toBeUndefined();
  });

  it('keeps the last test when the same URL is saved again', async () => {
    const test: WebhookTest = {
      testId: 't1',
      requestedAt: '2026-11-30T08:00:00.000Z',
      state: 'sent',
    };
    const { service, repo } = fakeProfiles([
      { userId: 'u1', webhookUrl: 'https://hooks.example.com/x', webhookTest: test },
    ]);
    await service.update('u1', { webhookUrl: 'https://HOOKS.example.com/x' });
    expect(repo.setWebhook).not.toHaveBeenCalled();
  });
});

describe('MeService.testWebhook', () => {
  const now = new Date('2026-11-30T08:00:00.000Z');

  it('refuses with a 409 WEBHOOK_NOT_SET, queuing nothing, when no webhook is saved', async () => {
    const { service, queue } = fakeProfiles([{ userId: 'u1' }]);
    const failure = service.testWebhook('u1', now);
    await expect(failure).rejects.toBeInstanceOf(WebhookNotSetError);
    await expect(failure).rejects.toMatchObject({ status: 409, code: 'WEBHOOK_NOT_SET' });
    expect(queue.sendMessage).not.toHaveBeenCalled();
  });

  it('records a pending test and queues its id for the worker (never the URL)', async () => {
    const { service, queue, store } = fakeProfiles([
      { userId: 'u1', webhookUrl: 'https://hooks.example.com/x' },
    ]);
    const test = await service.testWebhook('u1', now);
    expect(test).toEqual({
      testId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      requestedAt: now.toISOString(),
      state: 'pending',
    });
    expect(store.get('u1')?.webhookTest).toEqual(test);
    expect(queue.sendMessage).toHaveBeenCalledTimes(1);
    expect(queue.sendMessage.mock.calls[0][0]).toMatchObject({
      message: { v: 1, kind: 'webhook_test', userId: 'u1', testId: test.testId },
    });
  });

  it('answers 429 with Retry-After to a second test within the window', async () => {
    const { service, queue } = fakeProfiles([
      { userId: 'u1', webhookUrl: 'https://hooks.example.com/x' },
    ]);
    await service.testWebhook('u1', now);
    const soon = new Date(now.getTime() + 3_000);
    const failure = service.testWebhook('u1', soon);
    await expect(failure).rejects.toBeInstanceOf(RateLimitedError);
    await expect(failure).rejects.toMatchObject({
      status: 429,
      headers: { 'retry-after': String((WEBHOOK_TEST_MIN_INTERVAL_MS - 3_000) / 1000) },
    });
    expect(queue.sendMessage).toHaveBeenCalledTimes(1);
    const later = new Date(now.getTime() + WEBHOOK_TEST_MIN_INTERVAL_MS);
    await expect(service.testWebhook('u1', later)).resolves.toMatchObject({ state: 'pending' });
  });

  it('marks the test failed (not_queued) and answers 503 when the queue is down', async () => {
    const { service, queue, repo } = fakeProfiles([
      { userId: 'u1', webhookUrl: 'https://hooks.example.com/x' },
    ]);
    queue.sendMessage.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    await expect(service.testWebhook('u1', now)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(repo.finishWebhookTest).toHaveBeenCalledWith('u1', expect.any(String), {
      state: 'failed',
      error: 'not_queued',
    });
  });
});
