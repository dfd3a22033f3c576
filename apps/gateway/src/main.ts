import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import { runMigrations } from '@app/auth';
import { validateConfig } from '@app/platform';
import { assertNodeVersion, createHttpApp, exitOnBootstrapError } from '@app/platform/http';
import { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { setupSwagger } from './swagger';

export async function createGateway(env: Record<string, string | undefined> = process.env) {
  const config = validateConfig(GatewayConfig, env);
  const app = await createHttpApp(GatewayModule.forRoot(env), {
    serviceName: 'gateway',
    trustProxy: config.trustProxy,
    loadShedding: {
      maxInFlight: config.SHED_MAX_IN_FLIGHT,
      maxEventLoopDelayMs: config.SHED_MAX_EVENT_LOOP_DELAY_MS,
      retryAfterSeconds: config.SHED_RETRY_AFTER_SECONDS,
    },
  });
  await app.register(fastifyCookie);
  setupSwagger(app);
  return { app, config };
}

async function main(): Promise<void> {
  assertNodeVersion();
  if (process.argv[2] === 'migrate') {
    const config = validateConfig(GatewayConfig);
    const applied = await runMigrations(config.DATABASE_URL, config.DATABASE_SSL);
    process.stdout.write(`${JSON.stringify({ msg: 'migrations applied', applied })}\n`);
    return;
  }
  const { app, config } = await createGateway();
  await app.listen({ port: config.PORT, host: process.env.HOST ?? '0.0.0.0' });
}

if (require.main === module) {
  main().catch((err) => exitOnBootstrapError(err));
}
