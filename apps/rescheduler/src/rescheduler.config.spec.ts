import { describeEveryVariable } from '../../../test/support/config-walk';
import { loadReschedulerConfig } from './rescheduler.config';

describe('rescheduler configuration', () => {
  it.each([
    [undefined, true],
    ['true', true],
    ['false', false],
  ])('reads RESCHEDULER_LOOP=%s as %s', (value, expected) => {
    expect(loadReschedulerConfig({ RESCHEDULER_LOOP: value }).app.RESCHEDULER_LOOP).toBe(expected);
  });

  it('shares the lease setting with the other apps', () => {
    const config = loadReschedulerConfig({ CHECK_LEASE_SECONDS: '120' });
    expect(config.jobs.CHECK_LEASE_SECONDS).toBe(120);
    expect(config.app.PORT).toBe(3002);
  });
});

describeEveryVariable('rescheduler', loadReschedulerConfig, { NODE_ENV: 'test' });
