import {
  EgressConfig,
  InvalidWebhookUrlError,
  ProfilesRepository,
  UserProfile,
} from '@app/jobs-domain';
import { MeService } from './me.service';

/** A ProfilesRepository that keeps profiles in a map. */
function fakeProfiles(initial: UserProfile[] = []) {
  const store = new Map(initial.map((p) => [p.userId, p]));
  const repo = {
    get: jest.fn(async (userId: string) => store.get(userId) ?? { userId }),
    put: jest.fn(async (p: UserProfile) => void store.set(p.userId, { ...p })),
  };
  return { repo, store, service: service(repo) };
}

function service(repo: object, allowHosts = '') {
  return new MeService(
    repo as unknown as ProfilesRepository,
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
      expect(repo.put).not.toHaveBeenCalled();
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
    expect(repo.put).not.toHaveBeenCalled();
    await expect(service.update('u1', { webhookUrl: null })).resolves.toEqual({
      userId: 'u1',
      webhookUrl: undefined,
    });
    expect(store.get('u1')?.webhookUrl).toBeUndefined();
  });
});
