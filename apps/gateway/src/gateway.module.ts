import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, RouterModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule, DatabaseConnector, databaseOptions } from '@app/auth';
import { AwsClientsModule } from '@app/aws-clients';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import {
  CheckQueue,
  EGRESS_CONFIG,
  JOBS_CONFIG,
  JobsRepository,
  OutboxRepository,
  PriceHistoryRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
import {
  AllExceptionsFilter,
  AppConfigModule,
  loggerParams,
  RUNTIME_CONFIG,
  ShutdownState,
} from '@app/platform';
import { apiValidationPipe, MetricsModule } from '@app/platform/http';
import { AlertSubscriptions } from './auth/alert-subscriptions';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { SignInDelays } from './auth/sign-in-delays';
import { GATEWAY_CONFIG, GatewayConfig, GatewayEnv } from './gateway.config';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { MeController } from './me/me.controller';
import { MeService } from './me/me.service';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';

@Module({
  controllers: [AuthController, JobsController, NotificationsController, MeController],
  providers: [
    AuthService,
    AlertSubscriptions,
    {
      provide: SignInDelays,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) =>
        new SignInDelays({
          freeFailures: config.SIGNIN_FREE_FAILURES,
          maxDelaySeconds: config.SIGNIN_MAX_DELAY_SECONDS,
        }),
    },
    JobsService,
    MeService,
    NotificationsService,
    JobsRepository,
    PriceHistoryRepository,
    OutboxRepository,
    ProfilesRepository,
    CheckQueue,
  ],
})
class ApiModule {}

@Module({})
export class GatewayModule {
  /** `config` is the validated configuration (loadGatewayConfig). */
  static forRoot(config: GatewayEnv): DynamicModule {
    const { app } = config;
    return {
      module: GatewayModule,
      imports: [
        AppConfigModule.register([
          [RUNTIME_CONFIG, app],
          [GATEWAY_CONFIG, app],
          [JOBS_CONFIG, config.jobs],
          [EGRESS_CONFIG, config.egress],
        ]),
        LoggerModule.forRoot(loggerParams('gateway', app.LOG_LEVEL)),
        TypeOrmModule.forRoot({
          ...databaseOptions(config.database),
          // Connected in the background by DatabaseConnector: a database outage never stops the start.
          manualInitialization: true,
        }),
        AwsClientsModule.forRoot(config.aws),
        AuthModule.forRoot(config.auth),
        ThrottlerModule.forRoot({
          throttlers: [
            {
              name: 'ip',
              ttl: 60_000,
              limit: app.THROTTLE_AUTH_PER_IP_PER_MINUTE,
              // One budget for sign-up and sign-in together (the default key is per handler).
              generateKey: (_context, tracker, name) => `auth:${name}:${tracker}`,
            },
          ],
        }),
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        MetricsModule,
        ApiModule,
        RouterModule.register([{ path: 'api/v1', module: ApiModule }]),
      ],
      controllers: [HealthController],
      providers: [
        ShutdownState,
        AwsHealthIndicators,
        DatabaseConnector,
        { provide: APP_PIPE, useValue: apiValidationPipe() },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
