// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  validateSync,
  ValidationError,
} from 'class-validator';

/**
 * Configuration, in one place per process.
 *
 * Every variable a process reads is declared once, with its rule and its one default, on a config
 * class ("section"): the settings every process shares on `RuntimeConfig` and `HttpServerConfig`
 * here, the settings of a library on that library's section (`AwsConfig`, `AuthConfig`,
 * `DatabaseConfig`, `JobsConfig`, `EgressConfig`), and each app's own settings on the app's class,
 * which extends one of the two classes here. An app lists its sections once (`loadGatewayConfig`
 * and its siblings), `main.ts` loads them once at start, and the modules receive the validated
 * objects; nothing else reads `process.env`. Modelled on Immich's `env.dto.ts` +
 * `config.repository.ts`.
 */

export type Env = Record<string, string | undefined>;

export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

export const NODE_ENVS = ['production', 'development', 'test'] as const;
/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Printable ASCII, no control characters (a value that ends up in a header or a log line). */
export const PRINTABLE = /^[\x20-\x7e]+$/;

/** Settings every process reads, the Lambda included. */
export class RuntimeConfig {
  @IsIn(NODE_ENVS)
  NODE_ENV: string = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: string = 'info';

  /**
   * On SIGTERM, how long readiness fails while the server still serves, so that load balancers
   * stop sending before the listener closes. Unset: 5000 in production, 0 elsewhere.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DRAIN_MS?: number;

  /** Spans are exported over OTLP/HTTP when set (the exporter reads the variable itself too). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/\S*)?$/, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Overrides the service name on spans (default: the app's name). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, {
    message: 'OTEL_SERVICE_NAME must be letters, digits, "_", "." or "-"',
  })
  OTEL_SERVICE_NAME?: string;

  get production(): boolean {
    return this.NODE_ENV === 'production';
  }

  get shutdownDrainMs(): number {
    return this.SHUTDOWN_DRAIN_MS ?? (this.production ? 5000 : 0);
  }
}

/** Settings of a process that serves HTTP (the API, or /health and /metrics). */
export class HttpServerConfig extends RuntimeConfig {
  /** The address to listen on: an IP address or a host name. */
  @Matches(/^(?:[0-9a-fA-F:.]+|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*)$/, {
    message: 'HOST must be an IP address or a host name',
  })
  HOST: string = '0.0.0.0';

  /** Each app overrides the default (gateway 3000, scraper-worker 3001, rescheduler 3002). */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;
}

/** A section may add rules that span variables; `runtime` is the app's validated runtime section. */
export interface CrossChecked {
  crossCheck(runtime: RuntimeConfig): string[];
}

type SectionClass = new () => object;
export type LoadedConfig<A extends RuntimeConfig, S extends Record<string, SectionClass>> = {
  app: A;
} & { [K in keyof S]: InstanceType<S[K]> };

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg}`);
    return [...own, ...describe(e.children ?? [])];
  });
}

function fail(lines: string[]): never {
  throw new ConfigValidationError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
}

function toSection<T extends object>(cls: new () => T, env: Env): { value: T; errors: string[] } {
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') plain[k] = v;
  const value = plainToInstance(cls, plain, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(value, { whitelist: false, forbidUnknownValues: false });
  return { value, errors: describe(errors) };
}

/**
 * Validates the environment once, at start, against the app's class and its library sections. Every
 * bad or missing variable is reported in one error that names it, never its value (values may be
 * secrets). Variables that no section declares are ignored.
 */
export function loadConfig<A extends RuntimeConfig, S extends Record<string, SectionClass>>(
  app: new () => A,
  sections: S,
  env: Env = process.env,
): LoadedConfig<A, S> {
  const loaded: Record<string, object> = {};
  const errors: string[] = [];
  for (const [name, cls] of [['app', app] as const, ...Object.entries(sections)]) {
    const section = toSection(cls, env);
    loaded[name] = section.value;
    errors.push(...section.errors);
  }
  if (errors.length > 0) fail(errors);
  const runtime = loaded.app as RuntimeConfig;
  const cross = Object.values(loaded).flatMap(
    (section) => (section as Partial<CrossChecked>).crossCheck?.(runtime) ?? [],
  );
  if (cross.length > 0) fail(cross);
  return loaded as LoadedConfig<A, S>;
}

/** The variables a loaded config declares (every section's properties), for docs and tests. */
export function declaredVariables(config: Record<string, object>): string[] {
  const storage = getMetadataStorage();
  const names = new Set<string>();
  for (const section of Object.values(config)) {
    for (const m of storage.getTargetValidationMetadatas(
      section.constructor,
      '',
      true,
      false,
      undefined,
    ))
      names.add(m.propertyName);
  }
  return [...names].sort();
}

/** "a,b:8080, c" → ['a', 'b:8080', 'c'], lower-cased. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/** Reads "true"/"false" (and 1/0, yes/no) from the raw variable, for `@Transform`. */
export const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  // Implicit conversion has already turned "false" into `true` (a non-empty string) by the time
  // `value` arrives, so this reads the raw variable.
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  return raw; // not a boolean: @IsBoolean reports it
};

/** The validated runtime section (the app's config), for providers every app shares. */
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');

/** Makes validated config sections injectable, under their tokens, everywhere in an app. */
@Global()
@Module({})
export class AppConfigModule {
  static register(entries: [token: symbol, value: object][]): DynamicModule {
    const providers = entries.map(([provide, useValue]) => ({ provide, useValue }));
    return {
      global: true,
      module: AppConfigModule,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
