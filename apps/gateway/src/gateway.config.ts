// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { Transform } from 'class-transformer';

/**
 * Reads the raw variable: implicit conversion has already turned "false" into `true` (a non-empty
 * string) by the time `value` arrives.
 */
const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  return typeof raw === 'string' ? ['1', 'true', 'yes'].includes(raw.trim().toLowerCase()) : raw;
};

/** The gateway's own settings; AWS and auth settings are validated by their libraries. */
export class GatewayConfig {
  @IsIn(['production', 'development', 'test'])
  NODE_ENV: string = 'development';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_SSL: boolean = false;

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

  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  CHECK_LEASE_SECONDS: number = 900;

  @IsOptional()
  @IsString()
  EGRESS_ALLOW_HOSTS?: string;

  /** false, true, a hop count, or a comma list of proxy CIDRs (Fastify trustProxy). */
  @IsString()
  TRUST_PROXY: string = 'false';

  @IsInt()
  @Min(1)
  THROTTLE_AUTH_PER_IP_PER_MINUTE: number = 20;

  @IsInt()
  @Min(1)
  THROTTLE_AUTH_PER_EMAIL_PER_15_MINUTES: number = 10;

  /** Requests served at once above which new ones get 503 + Retry-After at once (load shedding). */
  @IsInt()
  @Min(1)
  SHED_MAX_IN_FLIGHT: number = 256;

  /** Mean event-loop delay (ms) above which new requests are shed; 0 turns this bound off. */
  @IsInt()
  @Min(0)
  SHED_MAX_EVENT_LOOP_DELAY_MS: number = 1000;

  @IsInt()
  @Min(1)
  @Max(600)
  SHED_RETRY_AFTER_SECONDS: number = 2;

  crossCheck(): string[] {
    const errors: string[] = [];
    if (this.NODE_ENV === 'production' && (this.EGRESS_ALLOW_HOSTS ?? '').trim() !== '') {
      errors.push('EGRESS_ALLOW_HOSTS: must be empty in production');
    }
    if (this.NODE_ENV === 'production' && this.MIN_CHECK_INTERVAL_MINUTES < 5) {
      errors.push('MIN_CHECK_INTERVAL_MINUTES: at least 5 in production');
    }
    return errors;
  }

  get trustProxy(): boolean | number | string {
    const v = this.TRUST_PROXY.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false' || v === '') return false;
    if (/^\d+$/.test(v)) return Number(v);
    return this.TRUST_PROXY;
  }
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
