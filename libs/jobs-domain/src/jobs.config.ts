// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CrossChecked, RuntimeConfig } from '@app/platform';
import { EgressAllowList } from './domain/url-policy';

/** Scheduling settings shared by every app that claims jobs (gateway, worker, rescheduler). */
export class JobsConfig {
  /** How long a claimed job stays out of the due index before it is considered lost. */
  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  CHECK_LEASE_SECONDS: number = 900;
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
