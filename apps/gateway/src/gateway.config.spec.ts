import { describeEveryVariable } from '../../../test/support/config-walk';
import { loadGatewayConfig, loadMigrationConfig } from './gateway.config';

describe('gateway configuration', () => {
  const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

  it.each([
    ['false', false],
    ['true', true],
    ['1', true],
    ['0', false],
  ])('reads DATABASE_SSL=%s as %s', (value, expected) => {
    expect(loadGatewayConfig({ ...base, DATABASE_SSL: value }).database.DATABASE_SSL).toBe(
      expected,
    );
  });

  it('reads the shared settings into their sections, with one default each', () => {
    const config = loadGatewayConfig({ ...base, HOST: '127.0.0.1', DATABASE_POOL_SIZE: '3' });
    expect(config.app.HOST).toBe('127.0.0.1');
    expect(config.app.PORT).toBe(3000);
    expect(config.database.DATABASE_POOL_SIZE).toBe(3);
    expect(config.jobs.CHECK_LEASE_SECONDS).toBe(900);
    expect(config.aws.DUE_SHARDS).toBe(8);
    expect(config.app.shutdownDrainMs).toBe(0);
  });

  it('drains 5 s on shutdown in production unless told otherwise', () => {
    const production = { ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(loadGatewayConfig(production).app.shutdownDrainMs).toBe(5000);
    expect(
      loadGatewayConfig({ ...production, SHUTDOWN_DRAIN_MS: '1500' }).app.shutdownDrainMs,
    ).toBe(1500);
  });

  it('refuses an egress allow list in production', () => {
    expect(() =>
      loadGatewayConfig({
        ...base,
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(32),
        EGRESS_ALLOW_HOSTS: '127.0.0.1:8080',
      }),
    ).toThrow(/EGRESS_ALLOW_HOSTS: must be empty in production/);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadGatewayConfig({ ...base, NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('reports every bad variable at once', () => {
    let message = '';
    try {
      loadGatewayConfig({ ...base, PORT: 'abc', DATABASE_POOL_SIZE: 'abc', DUE_SHARDS: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^ {2}PORT: /m);
    expect(message).toMatch(/^ {2}DATABASE_POOL_SIZE: /m);
    expect(message).toMatch(/^ {2}DUE_SHARDS: /m);
  });

  it('names a bad variable without echoing its value', () => {
    let message = '';
    try {
      loadGatewayConfig({ DATABASE_URL: 'mysql://secret-password@host/db' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toMatch(/secret-password/);
  });

  it('lets migrations run with the database settings alone', () => {
    const config = loadMigrationConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u@db:5432/pricewatch',
    });
    expect(config.database.DATABASE_URL).toBe('postgres://u@db:5432/pricewatch');
  });
});

describeEveryVariable('gateway', loadGatewayConfig, {
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
});
describeEveryVariable('gateway migrate', loadMigrationConfig, {
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
});
