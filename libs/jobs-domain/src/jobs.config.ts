// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CrossChecked, RuntimeConfig } from '@app/platform';
import { AlertRedrivePolicy } from './domain/alert-redrive';
import { EgressAllowList } from './domain/url-policy';

/** Scheduling settings shared by every app that claims jobs (gateway, worker, rescheduler). */
export class JobsConfig {
  /** How long a claimed job stays out of the due index before it is considered lost. */
  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  CHECK_LEASE_SECONDS: number = 900;

  /** Shortest wait before an alert whose delivery failed is tried again (see alert-redrive.ts). */
  @IsInt()
  @Min(1)
  @Max(3600)
  ALERT_RETRY_BASE_SECONDS: number = 60;

  /** Longest wait between two delivery attempts of an alert. */
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  ALERT_RETRY_MAX_DELAY_SECONDS: number = 3600;

  /** An alert still undelivered this long after it was raised is given up (kept, shown as failed). */
  @IsInt()
  @Min(1)
  @Max(14 * 24 * 3600)
  ALERT_GIVE_UP_AFTER_SECONDS: number = 24 * 3600;

  get alertRedrive(): AlertRedrivePolicy {
    return {
      baseMs: this.ALERT_RETRY_BASE_SECONDS * 1000,
      maxDelayMs: this.ALERT_RETRY_MAX_DELAY_SECONDS * 1000,
      giveUpAfterMs: this.ALERT_GIVE_UP_AFTER_SECONDS * 1000,
    };
  }
}

const ALLOW_ENTRY = String.raw`(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?`;

/** The egress exception list, shared by the gateway's URL checks and the worker's egress guard. */
export class EgressConfig implements CrossChecked {
  /**
   * Hosts reachable despite being private or loopback ("host", "host:port", "[v6]:port", comma
   * separated), for local runs and tests only.
   */
  @IsOptional()
  @Matches(new RegExp(`^\\s*${ALLOW_ENTRY}\\s*(,\\s*${ALLOW_ENTRY}\\s*)*$`), {
    message: 'EGRESS_ALLOW_HOSTS must be a comma list of host or host:port',
  })
  EGRESS_ALLOW_HOSTS?: string;

  crossCheck(runtime: RuntimeConfig): string[] {
    return runtime.production && (this.EGRESS_ALLOW_HOSTS ?? '').trim() !== ''
      ? ['EGRESS_ALLOW_HOSTS: must be empty in production']
      : [];
  }

  get allowList(): EgressAllowList {
    return EgressAllowList.fromEnv(this.EGRESS_ALLOW_HOSTS);
  }
}

export const JOBS_CONFIG = Symbol('JOBS_CONFIG');
export const EGRESS_CONFIG = Symbol('EGRESS_CONFIG');
