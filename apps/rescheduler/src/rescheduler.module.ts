import { DynamicModule, Global, Module } from '@nestjs/common';
import { AwsClientsModule } from '@app/aws-clients';
import { CheckQueue, JOBS_CONFIG, JobsRepository, OutboxRepository } from '@app/jobs-domain';
import { RUNTIME_CONFIG } from '@app/platform';
import { RESCHEDULER_CONFIG, ReschedulerEnv } from './rescheduler.config';
import { ReschedulerService } from './rescheduler.service';

/** The logic and its dependencies, with no HTTP server: what the Lambda handler boots. */
@Global()
@Module({})
export class ReschedulerCoreModule {
  /** `config` is the validated configuration (loadReschedulerConfig). */
  static forRoot(config: ReschedulerEnv): DynamicModule {
    const providers = [
      { provide: RUNTIME_CONFIG, useValue: config.app },
      { provide: RESCHEDULER_CONFIG, useValue: config.app },
      { provide: JOBS_CONFIG, useValue: config.jobs },
    ];
    return {
      global: true,
      module: ReschedulerCoreModule,
      imports: [AwsClientsModule.forRoot(config.aws)],
      providers: [...providers, JobsRepository, OutboxRepository, CheckQueue, ReschedulerService],
      exports: [...providers.map((p) => p.provide), ReschedulerService],
    };
  }
}
