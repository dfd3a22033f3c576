// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { AwsConfig } from '@app/aws-clients';
import { AuthConfig, DatabaseConfig } from '@app/auth';
import { EgressConfig, JobsConfig } from '@app/jobs-domain';
import { CrossChecked, Env, HttpServerConfig, loadConfig, RuntimeConfig } from '@app/platform';

/** The gateway's own settings; the shared ones come from the sections in `loadGatewayConfig`. */
export class GatewayConfig extends HttpServerConfig implements CrossChecked {
  override PORT: number = 3000;

  @Matches(/^[A-Z]{3}$/, { message: 'DEFAULT_CURRENCY must be an ISO 4217 code such as USD' })
  DEFAULT_CURRENCY: string = 'USD';

  /** Fractions are allowed so that the local stack and tests can run checks seconds apart. */
  @IsNumber()
  @Min(0.01)
  @Max(1440)
  MIN_CHECK_INTERVAL_MINUTES: number = 5;

  @IsInt()
  @Min(1)
  @Max(10080)
  DEFAULT_CHECK_INTERVAL_MINUTES: number = 60;

  /** false, true, a hop count, or a comma list of proxy addresses/CIDRs (Fastify trustProxy). */
  @Matches(
    /^(true|false|\d{1,2}|[0-9a-fA-F:.]+(\/\d{1,3})?(\s*,\s*[0-9a-fA-F:.]+(\/\d{1,3})?)*)$/i,
    {
      message: 'TRUST_PROXY must be true, false, a hop count or a comma list of addresses/CIDRs',
    },
  )
  TRUST_PROXY: string = 'false';

  @IsInt()
  @Min(1)
  THROTTLE_AUTH_PER_IP_PER_MINUTE: number = 20;

  /** Wrong passwords for one e-mail from one IP before each further one doubles the wait. */
  @IsInt()
  @Min(1)
  SIGNIN_FREE_FAILURES: number = 3;

  /** The longest wait the doubling reaches (one e-mail, one IP). */
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  SIGNIN_MAX_DELAY_SECONDS: number = 900;

  /**
   * Requests served at once above which new ones get 503 + Retry-After at once (load shedding): a
   * hard cap. The time bound below is the one that acts first when a dependency is at capacity.
   */
  @IsInt()
  @Min(1)
  SHED_MAX_IN_FLIGHT: number = 1024;

  /**
   * Mean event-loop delay (ms, per 250 ms window) above which a growing share of new requests is
   * shed (libs/platform load-shedding: ShedGovernor); 0 turns this bound off.
   */
  @IsInt()
  @Min(0)
  SHED_MAX_EVENT_LOOP_DELAY_MS: number = 200;

  /**
   * The longest a new request should wait in the gateway (ms): requests in flight beyond what it
   * answers in that time (its measured rate x this) get 503 + Retry-After at once
   * (libs/platform load-shedding: QueueTimeBound); 0 turns this bound off.
   */
  @IsInt()
  @Min(0)
  SHED_MAX_QUEUE_TIME_MS: number = 500;

  @IsInt()
  @Min(1)
  @Max(600)
  SHED_RETRY_AFTER_SECONDS: number = 2;

  /**
   * Connections the kernel holds for the gateway before it accepts them (listen backlog; Linux
   * caps it at net.core.somaxconn, 4096 by default). Node's default, 511, overflowed in the spike
   * scenario: a connection attempt that finds the queue full is dropped and the client retries
   * only after 1 s, then 3 s (docs/PERFORMANCE.md).
   */
  @IsInt()
  @Min(1)
  @Max(65535)
  LISTEN_BACKLOG: number = 4096;

  crossCheck(runtime: RuntimeConfig): string[] {
    return runtime.production && this.MIN_CHECK_INTERVAL_MINUTES < 5
      ? ['MIN_CHECK_INTERVAL_MINUTES: at least 5 in production']
      : [];
  }

  get trustProxy(): boolean | number | string {
    const v = this.TRUST_PROXY.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false' || v === '') return false;
    if (/^\d+$/.test(v)) return Number(v);
    return this.TRUST_PROXY;
  }
}

/** Everything the gateway reads from its environment, validated once (main.ts). */
export function loadGatewayConfig(env?: Env) {
  return loadConfig(
    GatewayConfig,
    {
      database: DatabaseConfig,
      auth: AuthConfig,
      aws: AwsConfig,
      jobs: JobsConfig,
      egress: EgressConfig,
    },
    env,
  );
}
export type GatewayEnv = ReturnType<typeof loadGatewayConfig>;

/** What `main.js migrate` reads: the database alone (the migration Job gets no other secret). */
export function loadMigrationConfig(env?: Env) {
  return loadConfig(RuntimeConfig, { database: DatabaseConfig }, env);
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
