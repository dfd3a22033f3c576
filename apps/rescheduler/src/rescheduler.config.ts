// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsIn, IsInt, Max, Min } from 'class-validator';

export class ReschedulerConfig {
  @IsIn(['production', 'development', 'test'])
  NODE_ENV: string = 'development';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3002;

  /** Seconds between runs of the local loop (the Lambda is driven by its EventBridge schedule). */
  @IsInt()
  @Min(1)
  @Max(3600)
  RESCHEDULE_INTERVAL_SECONDS: number = 5;

  /** How long a claimed job stays out of the due index before it is considered lost. */
  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  CHECK_LEASE_SECONDS: number = 900;

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

export const RESCHEDULER_CONFIG = Symbol('RESCHEDULER_CONFIG');
