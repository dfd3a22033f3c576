import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatabaseConnector, runMigrations } from '@app/auth';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { createGateway } from '../../apps/gateway/src/main';

export interface RunningApp {
  app: NestFastifyApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/** The environment the global setup prepared (real Postgres, dynalite, local-aws-sqs), plus overrides. */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
    // See global-setup: the lag bound would make test outcomes depend on the machine's load.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    SHED_MAX_QUEUE_TIME_MS: '0',
    ...overrides,
  };
}

let migrated: Promise<unknown> | undefined;

/** Boots the real gateway in-process on an ephemeral loopback port. */
export async function startGateway(
  overrides: Record<string, string | undefined> = {},
): Promise<RunningApp> {
  const env = testEnv(overrides);
  // Always the suite's real database, even when a test points the app at an unreachable one.
  migrated ??= runMigrations(process.env.DATABASE_URL!);
  await migrated;
  const app = await createGateway(loadGatewayConfig(env));
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The database connects in the background; like a load balancer waiting for readiness, tests
  // start once it is there (unless the test points the app at an unreachable one on purpose).
  if (env.DATABASE_URL === process.env.DATABASE_URL)
    await app.get(DatabaseConnector).whenConnected(20_000);
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** Polls until `probe` returns a value (not undefined), or fails after the deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}
