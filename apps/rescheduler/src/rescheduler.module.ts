import { DynamicModule, Global, Module } from '@nestjs/common';
import { AwsClientsModule } from '@app/aws-clients';
import { CheckQueue, JobsRepository } from '@app/jobs-domain';
import { validateConfig } from '@app/platform';
import { RESCHEDULER_CONFIG, ReschedulerConfig } from './rescheduler.config';
import { ReschedulerService } from './rescheduler.service';

/** The logic and its dependencies, with no HTTP server: what the Lambda handler boots. */
@Global()
@Module({})
export class ReschedulerCoreModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    const config = validateConfig(ReschedulerConfig, env);
    return {
      global: true,
      module: ReschedulerCoreModule,
      imports: [AwsClientsModule.forRoot(env)],
      providers: [
        { provide: RESCHEDULER_CONFIG, useValue: config },
        JobsRepository,
        CheckQueue,
        ReschedulerService,
      ],
      exports: [RESCHEDULER_CONFIG, ReschedulerService],
    };
  }
}
