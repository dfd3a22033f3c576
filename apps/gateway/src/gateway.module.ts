import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
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
  JobsRepository,
  OutboxRepository,
  PriceHistoryRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
import { AllExceptionsFilter, loggerParams, ShutdownState, validateConfig } from '@app/platform';
import { apiValidationPipe, MetricsModule } from '@app/platform/http';
import { AlertSubscriptions } from './auth/alert-subscriptions';
import { AuthController } from './auth/auth.controller';
import { emailTracker } from './auth/auth-throttler.guard';
import { AuthService } from './auth/auth.service';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { MeController } from './me/me.controller';
import { NotificationsController } from './notifications/notifications.controller';

@Module({
  controllers: [AuthController, JobsController, NotificationsController, MeController],
  providers: [
    AuthService,
    AlertSubscriptions,
    JobsService,
    JobsRepository,
    PriceHistoryRepository,
    OutboxRepository,
    ProfilesRepository,
    CheckQueue,
  ],
})
class ApiModule {}

@Global()
@Module({})
class GatewayConfigModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      global: true,
      module: GatewayConfigModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}

@Module({})
export class GatewayModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    const config = validateConfig(GatewayConfig, env);
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ gateway: config })],
        }),
        GatewayConfigModule.register(config),
        LoggerModule.forRoot(loggerParams('gateway', env.LOG_LEVEL)),
        TypeOrmModule.forRoot({
          ...databaseOptions(config.DATABASE_URL, config.DATABASE_SSL),
          // Connected in the background by DatabaseConnector: a database outage never stops the start.
          manualInitialization: true,
        }),
        AwsClientsModule.forRoot(env),
        AuthModule.forRoot(env),
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'ip', ttl: 60_000, limit: config.THROTTLE_AUTH_PER_IP_PER_MINUTE },
            {
              name: 'email',
              ttl: 15 * 60_000,
              limit: config.THROTTLE_AUTH_PER_EMAIL_PER_15_MINUTES,
              getTracker: emailTracker,
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
