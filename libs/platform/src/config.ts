import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg}`);
    return [...own, ...describe(e.children ?? [])];
  });
}

/**
 * Validates the process environment once, at start, against an app's config class (class-validator
 * rules and defaults on the class). A bad or missing variable stops the process with a message
 * naming it, never its value (values may be secrets).
 */
export function validateConfig<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') plain[k] = v;
  const config = plainToInstance(cls, plain, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(`Invalid configuration:\n  ${describe(errors).join('\n  ')}`);
  }
  const check = (config as { crossCheck?: () => string[] }).crossCheck?.() ?? [];
  if (check.length > 0) {
    throw new ConfigValidationError(`Invalid configuration:\n  ${check.join('\n  ')}`);
  }
  return config;
}

/** "a,b:8080, c" → ['a', 'b:8080', 'c'], lower-cased. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}
