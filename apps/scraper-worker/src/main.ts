import 'reflect-metadata';
import { validateConfig } from '@app/platform';
import { assertNodeVersion, createHttpApp, exitOnBootstrapError } from '@app/platform/http';
import { WorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = validateConfig(WorkerConfig);
  const app = await createHttpApp(WorkerModule.forRoot(), { serviceName: 'scraper-worker' });
  await app.listen({ port: config.PORT, host: process.env.HOST ?? '0.0.0.0' });
}

main().catch((err) => exitOnBootstrapError(err));
