import { describeEveryVariable } from '../../../test/support/config-walk';
import { httpFetcherSettings, loadWorkerConfig } from './worker.config';

describe('worker configuration', () => {
  it('gives the fetcher its settings, with the config defaults as the only defaults', () => {
    const config = loadWorkerConfig({ NODE_ENV: 'test' });
    expect(config.app.PORT).toBe(3001);
    expect(httpFetcherSettings(config.app)).toEqual({
      totalTimeoutMs: 15_000,
      maxBytes: 5 * 1024 * 1024,
      userAgent: expect.stringMatching(/^Mozilla\/5\.0 .* Chrome\/\d+/),
      acceptLanguage: 'en-US,en;q=0.9',
    });
  });

  it('refuses a heartbeat as long as the visibility timeout', () => {
    expect(() =>
      loadWorkerConfig({ HEARTBEAT_SECONDS: '60', VISIBILITY_TIMEOUT_SECONDS: '60' }),
    ).toThrow(/HEARTBEAT_SECONDS: must be shorter/);
  });

  it('refuses an egress allow list in production', () => {
    expect(() =>
      loadWorkerConfig({ NODE_ENV: 'production', EGRESS_ALLOW_HOSTS: 'shop.test' }),
    ).toThrow(/EGRESS_ALLOW_HOSTS: must be empty in production/);
  });

  it('refuses a user agent that would split the request header', () => {
    expect(() => loadWorkerConfig({ USER_AGENT: 'Mozilla/5.0\r\nX-Injected: 1' })).toThrow(
      /USER_AGENT/,
    );
  });
});

describeEveryVariable('scraper-worker', loadWorkerConfig, { NODE_ENV: 'test' });
