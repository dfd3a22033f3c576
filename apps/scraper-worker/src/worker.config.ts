// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

export class WorkerConfig {
  @IsIn(['production', 'development', 'test'])
  NODE_ENV: string = 'development';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3001;

  /** Checks in flight per worker (one SQS receive batch; SQS caps a batch at 10). */
  @IsInt()
  @Min(1)
  @Max(10)
  WORKER_CONCURRENCY: number = 8;

  /** Browser pages rendering at once; smaller than WORKER_CONCURRENCY, since a page costs far more. */
  @IsInt()
  @Min(1)
  @Max(16)
  BROWSER_CONCURRENCY: number = 2;

  /** Checks at once against one shop host, from this worker. */
  @IsInt()
  @Min(1)
  @Max(16)
  PER_DOMAIN_CONCURRENCY: number = 2;

  @IsOptional()
  @IsString()
  PUPPETEER_EXECUTABLE_PATH?: string;

  /** "true" in hardened pods, where Chromium's own sandbox cannot start (the container is the sandbox). */
  @IsIn(['true', 'false'])
  BROWSER_NO_SANDBOX: string = 'false';

  /** "false" runs HTTP-only even when a browser is installed. */
  @IsIn(['true', 'false'])
  BROWSER_ENABLED: string = 'true';

  @IsInt()
  @Min(1000)
  @Max(120_000)
  PAGE_TIMEOUT_MS: number = 30_000;

  @IsInt()
  @Min(1000)
  @Max(60_000)
  FETCH_TIMEOUT_MS: number = 15_000;

  @IsInt()
  @Min(64 * 1024)
  @Max(50 * 1024 * 1024)
  FETCH_MAX_BYTES: number = 5 * 1024 * 1024;

  @IsInt()
  @Min(1)
  BROWSER_RECYCLE_AFTER_PAGES: number = 200;

  /** A whole check (fetch, render, extract, write) is abandoned after this long; the message comes back. */
  @IsInt()
  @Min(5000)
  @Max(600_000)
  CHECK_TIMEOUT_MS: number = 90_000;

  @IsInt()
  @Min(10)
  @Max(43200)
  VISIBILITY_TIMEOUT_SECONDS: number = 120;

  @IsInt()
  @Min(1)
  @Max(43200)
  HEARTBEAT_SECONDS: number = 30;

  /** First retry delay of a message whose check threw; doubles with each receive. */
  @IsInt()
  @Min(0)
  @Max(900)
  RETRY_BASE_SECONDS: number = 30;

  @IsInt()
  @Min(0)
  @Max(20)
  SQS_WAIT_TIME_SECONDS: number = 20;

  @IsInt()
  @Min(1)
  @Max(100)
  MAX_CONSECUTIVE_FAILURES: number = 5;

  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  CHECK_LEASE_SECONDS: number = 900;

  @IsNumber()
  @Min(0)
  @Max(1)
  CHECK_JITTER_RATIO: number = 0.1;

  @IsInt()
  @Min(1)
  @Max(3650)
  PRICE_HISTORY_TTL_DAYS: number = 365;

  @IsInt()
  @Min(500)
  @Max(30_000)
  WEBHOOK_TIMEOUT_MS: number = 5000;

  @IsOptional()
  @IsString()
  EGRESS_ALLOW_HOSTS?: string;

  @IsString()
  USER_AGENT: string =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

  @IsString()
  ACCEPT_LANGUAGE: string = 'en-US,en;q=0.9';

  crossCheck(): string[] {
    const errors: string[] = [];
    if (this.NODE_ENV === 'production' && (this.EGRESS_ALLOW_HOSTS ?? '').trim() !== '') {
      errors.push('EGRESS_ALLOW_HOSTS: must be empty in production');
    }
    if (this.HEARTBEAT_SECONDS >= this.VISIBILITY_TIMEOUT_SECONDS) {
      errors.push('HEARTBEAT_SECONDS: must be shorter than VISIBILITY_TIMEOUT_SECONDS');
    }
    return errors;
  }
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
