// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { AwsConfig } from '@app/aws-clients';
import { JobsConfig } from '@app/jobs-domain';
import { Env, HttpServerConfig, loadConfig, toBool } from '@app/platform';

/**
 * The rescheduler's own settings. HOST and PORT serve /health and /metrics of the local loop; the
 * Lambda reads the rest.
 */
export class ReschedulerConfig extends HttpServerConfig {
  override PORT: number = 3002;

  /** "false": the local process serves /health and /metrics but runs no loop (tests, debugging). */
  @Transform(toBool)
  @IsBoolean()
  RESCHEDULER_LOOP: boolean = true;

  /** Seconds between runs of the local loop (the Lambda is driven by its EventBridge schedule). */
  @IsInt()
  @Min(1)
  @Max(3600)
  RESCHEDULE_INTERVAL_SECONDS: number = 5;

  /** Due jobs read per Query page. */
  @IsInt()
  @Min(1)
  @Max(1000)
  RESCHEDULE_PAGE_SIZE: number = 100;

  /** Upper bound on jobs enqueued in one run (keeps one run inside its time budget). */
  @IsInt()
  @Min(1)
  RESCHEDULE_MAX_JOBS_PER_RUN: number = 50000;

  /** Stop taking new work this long before the Lambda's deadline. */
  @IsInt()
  @Min(0)
  RESCHEDULE_SAFETY_MARGIN_MS: number = 5000;
}

/** Everything the rescheduler reads from its environment, validated once per process. */
export function loadReschedulerConfig(env?: Env) {
  return loadConfig(ReschedulerConfig, { aws: AwsConfig, jobs: JobsConfig }, env);
}
export type ReschedulerEnv = ReturnType<typeof loadReschedulerConfig>;

export const RESCHEDULER_CONFIG = Symbol('RESCHEDULER_CONFIG');
