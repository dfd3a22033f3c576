import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import { runMigrations } from '@app/auth';
import { assertNodeVersion, createHttpApp, exitOnBootstrapError } from '@app/platform/http';
import { GatewayEnv, loadGatewayConfig, loadMigrationConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { setupSwagger } from './swagger';
import { addSecurityHeaders, registerWebApp } from './web-app/web-app';

/** The gateway from its validated configuration (loadGatewayConfig), not yet listening. */
export async function createGateway(config: GatewayEnv) {
  const app = await createHttpApp(GatewayModule.forRoot(config), {
    serviceName: 'gateway',
    trustProxy: config.app.trustProxy,
    tracing: config.app,
    loadShedding: {
      maxInFlight: config.app.SHED_MAX_IN_FLIGHT,
      maxEventLoopDelayMs: config.app.SHED_MAX_EVENT_LOOP_DELAY_MS,
      maxQueueTimeMs: config.app.SHED_MAX_QUEUE_TIME_MS,
      retryAfterSeconds: config.app.SHED_RETRY_AFTER_SECONDS,
    },
  });
  await app.register(fastifyCookie);
  addSecurityHeaders(app);
  setupSwagger(app, { minCheckIntervalMinutes: config.app.MIN_CHECK_INTERVAL_MINUTES });
  await registerWebApp(app);
  return app;
}

async function main(): Promise<void> {
  assertNodeVersion();
  if (process.argv[2] === 'migrate') {
    const { DATABASE_URL, DATABASE_SSL } = loadMigrationConfig().database;
    const applied = await runMigrations(DATABASE_URL, DATABASE_SSL);
    process.stdout.write(`${JSON.stringify({ msg: 'migrations applied', applied })}\n`);
    return;
  }
  const config = loadGatewayConfig();
  const app = await createGateway(config);
  await app.listen({
    port: config.app.PORT,
    host: config.app.HOST,
    backlog: config.app.LISTEN_BACKLOG,
  });
}

if (require.main === module) {
  main().catch((err) => exitOnBootstrapError(err));
}
