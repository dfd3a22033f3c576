import { validateConfig } from '@app/platform';
import { GatewayConfig } from './gateway.config';

describe('GatewayConfig', () => {
  const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

  it.each([
    ['false', false],
    ['true', true],
    ['1', true],
    ['0', false],
  ])('reads DATABASE_SSL=%s as %s', (value, expected) => {
    expect(validateConfig(GatewayConfig, { ...base, DATABASE_SSL: value }).DATABASE_SSL).toBe(
      expected,
    );
  });

  it('refuses an egress allow list in production', () => {
    expect(() =>
      validateConfig(GatewayConfig, {
        ...base,
        NODE_ENV: 'production',
        EGRESS_ALLOW_HOSTS: '127.0.0.1:8080',
      }),
    ).toThrow(/EGRESS_ALLOW_HOSTS/);
  });

  it('names a bad variable without echoing its value', () => {
    let message = '';
    try {
      validateConfig(GatewayConfig, { DATABASE_URL: 'mysql://secret-password@host/db' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toMatch(/secret-password/);
  });
});
