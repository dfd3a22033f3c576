// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsIn, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { AwsConfig } from '@app/aws-clients';
import { EgressConfig, JobsConfig } from '@app/jobs-domain';
import { CrossChecked, Env, HttpServerConfig, loadConfig, PRINTABLE } from '@app/platform';
import type { HttpFetcherSettings } from './fetching';

/** The worker's own settings; the shared ones come from the sections in `loadWorkerConfig`. */
export class WorkerConfig extends HttpServerConfig implements CrossChecked {
  override PORT: number = 3001;

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

  /** The Chromium to drive; unset, the system's chromium is looked for (findChromiumExecutable). */
  @IsOptional()
  @Matches(/^\/\S+$/, { message: 'PUPPETEER_EXECUTABLE_PATH must be an absolute path' })
  PUPPETEER_EXECUTABLE_PATH?: string;

  /** Where a Chrome downloaded by `npx puppeteer browsers install` is looked for (default ~/.cache/puppeteer). */
  @IsOptional()
  @Matches(/^\/\S+$/, { message: 'PUPPETEER_CACHE_DIR must be an absolute path' })
  PUPPETEER_CACHE_DIR?: string;

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

  /** A whole plain-HTTP fetch, redirects included. */
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

  /**
   * On SIGTERM, how long checks in flight may still run to completion; those still running then
   * release their job (due now, nothing recorded) and their message (visible again). Keep it under
   * the pod's terminationGracePeriodSeconds, less the drain delay.
   */
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS: number = 60_000;

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

  /**
   * Longest pause between receives while the queue is unreachable (capped exponential backoff
   * with full jitter from 250 ms). Well under a minute, so checks resume soon after an outage.
   */
  @IsInt()
  @Min(250)
  @Max(300_000)
  SQS_RECEIVE_BACKOFF_MAX_MS: number = 20_000;

  @IsInt()
  @Min(1)
  @Max(100)
  MAX_CONSECUTIVE_FAILURES: number = 5;

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

  /**
   * Sent by the HTTP fetcher and the browser: a current desktop Chrome on Windows (UA-reduced
   * form); keep the major version recent.
   */
  @Matches(PRINTABLE, { message: 'USER_AGENT must be printable ASCII' })
  USER_AGENT: string =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

  @Matches(PRINTABLE, { message: 'ACCEPT_LANGUAGE must be printable ASCII' })
  ACCEPT_LANGUAGE: string = 'en-US,en;q=0.9';

  crossCheck(): string[] {
    return this.HEARTBEAT_SECONDS >= this.VISIBILITY_TIMEOUT_SECONDS
      ? ['HEARTBEAT_SECONDS: must be shorter than VISIBILITY_TIMEOUT_SECONDS']
      : [];
  }
}

/** Everything the worker reads from its environment, validated once (main.ts). */
export function loadWorkerConfig(env?: Env) {
  return loadConfig(WorkerConfig, { aws: AwsConfig, jobs: JobsConfig, egress: EgressConfig }, env);
}
export type WorkerEnv = ReturnType<typeof loadWorkerConfig>;

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** The HttpFetcher settings the worker's config decides. */
export function httpFetcherSettings(config: WorkerConfig): HttpFetcherSettings {
  return {
    totalTimeoutMs: config.FETCH_TIMEOUT_MS,
    maxBytes: config.FETCH_MAX_BYTES,
    userAgent: config.USER_AGENT,
    acceptLanguage: config.ACCEPT_LANGUAGE,
  };
}
