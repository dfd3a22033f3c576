import 'reflect-metadata';
import { assertNodeVersion, createHttpApp, exitOnBootstrapError } from '@app/platform/http';
import { loadWorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadWorkerConfig();
  const app = await createHttpApp(WorkerModule.forRoot(config), {
    serviceName: 'scraper-worker',
    tracing: config.app,
  });
  await app.listen({ port: config.app.PORT, host: config.app.HOST });
}

main().catch((err) => exitOnBootstrapError(err));
