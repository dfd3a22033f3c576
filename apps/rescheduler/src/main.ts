import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { loggerParams, ShutdownState, validateConfig } from '@app/platform';
import {
  assertNodeVersion,
  createHttpApp,
  exitOnBootstrapError,
  MetricsModule,
} from '@app/platform/http';
import { HealthController } from './health.controller';
import { handler } from './lambda';
import { RescheduleLoop } from './reschedule-loop';
import { ReschedulerConfig } from './rescheduler.config';
import { ReschedulerCoreModule } from './rescheduler.module';

@Module({
  imports: [
    LoggerModule.forRoot(loggerParams('rescheduler')),
    ReschedulerCoreModule.forRoot(),
    TerminusModule.forRoot({ logger: false }),
    MetricsModule,
  ],
  controllers: [HealthController],
  providers: [ShutdownState, AwsHealthIndicators, RescheduleLoop],
})
class ReschedulerAppModule {}

/**
 * `main.js`         the local loop (every RESCHEDULE_INTERVAL_SECONDS) with /health and /metrics;
 * `main.js --once`  one run and exit, for a Kubernetes CronJob (non-zero exit if any send failed).
 */
async function main(): Promise<void> {
  assertNodeVersion();
  if (process.argv.includes('--once')) {
    const report = await handler(
      { source: 'cli' },
      { getRemainingTimeInMillis: () => 10 * 60_000 },
    );
    process.stdout.write(`${JSON.stringify({ msg: 'reschedule run', ...report })}\n`);
    process.exit(report.failed > 0 ? 1 : 0);
  }
  const config = validateConfig(ReschedulerConfig);
  const app = await createHttpApp(ReschedulerAppModule, { serviceName: 'rescheduler' });
  await app.listen({ port: config.PORT, host: process.env.HOST ?? '0.0.0.0' });
}

main().catch((err) => exitOnBootstrapError(err));
