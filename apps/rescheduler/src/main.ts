import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { loggerParams, ShutdownState } from '@app/platform';
import {
  assertNodeVersion,
  createHttpApp,
  exitOnBootstrapError,
  MetricsModule,
} from '@app/platform/http';
import { HealthController } from './health.controller';
import { handler } from './lambda';
import { RescheduleLoop } from './reschedule-loop';
import { loadReschedulerConfig, ReschedulerEnv } from './rescheduler.config';
import { ReschedulerCoreModule } from './rescheduler.module';

@Module({})
class ReschedulerAppModule {
  static forRoot(config: ReschedulerEnv): DynamicModule {
    return {
      module: ReschedulerAppModule,
      imports: [
        LoggerModule.forRoot(loggerParams('rescheduler', config.app.LOG_LEVEL)),
        ReschedulerCoreModule.forRoot(config),
        TerminusModule.forRoot({ logger: false }),
        MetricsModule,
      ],
      controllers: [HealthController],
      providers: [ShutdownState, AwsHealthIndicators, RescheduleLoop],
    };
  }
}

/**
 * `main.js`         the local loop (every RESCHEDULE_INTERVAL_SECONDS) with /health and /metrics;
 * `main.js --once`  one run and exit, for a Kubernetes CronJob (non-zero exit if any send failed).
 */
async function main(): Promise<void> {
  assertNodeVersion();
  if (process.argv.includes('--once')) {
    // The Lambda's path: the handler loads and validates the configuration itself.
    const report = await handler(
      { source: 'cli' },
      { getRemainingTimeInMillis: () => 10 * 60_000 },
    );
    process.stdout.write(`${JSON.stringify({ msg: 'reschedule run', ...report })}\n`);
    process.exit(report.failed > 0 ? 1 : 0);
  }
  const config = loadReschedulerConfig();
  const app = await createHttpApp(ReschedulerAppModule.forRoot(config), {
    serviceName: 'rescheduler',
    tracing: config.app,
  });
  await app.listen({ port: config.app.PORT, host: config.app.HOST });
}

main().catch((err) => exitOnBootstrapError(err));
