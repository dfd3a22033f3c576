import { ValidationPipe } from '@nestjs/common';
import { ValidateIf, type ValidationError } from 'class-validator';
import { ErrorCode, FieldError, RequestRejectedError, ValidationFailedError } from './errors';

/** class-validator constraint names, grouped by the field code a client sees. */
const CONSTRAINT_CODES: Record<string, ErrorCode> = {
  whitelistValidation: ErrorCode.FIELD_UNKNOWN,
  isDefined: ErrorCode.FIELD_REQUIRED,
  isString: ErrorCode.FIELD_INVALID_TYPE,
  isNumber: ErrorCode.FIELD_INVALID_TYPE,
  isInt: ErrorCode.FIELD_INVALID_TYPE,
  isBoolean: ErrorCode.FIELD_INVALID_TYPE,
  isObject: ErrorCode.FIELD_INVALID_TYPE,
  isArray: ErrorCode.FIELD_INVALID_TYPE,
  nestedValidation: ErrorCode.FIELD_INVALID_TYPE,
  maxLength: ErrorCode.FIELD_INVALID_LENGTH,
  minLength: ErrorCode.FIELD_INVALID_LENGTH,
  min: ErrorCode.FIELD_OUT_OF_RANGE,
  max: ErrorCode.FIELD_OUT_OF_RANGE,
  isPositive: ErrorCode.FIELD_OUT_OF_RANGE,
  isIn: ErrorCode.FIELD_NOT_ALLOWED_VALUE,
  isEnum: ErrorCode.FIELD_NOT_ALLOWED_VALUE,
};

/**
 * One entry per field and failed constraint, nested members dotted ("a.b"). A required field that
 * is absent reports FIELD_REQUIRED once instead of each constraint it could not meet.
 */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    const whitelist = constraints.find(([name]) => name === 'whitelistValidation');
    if (whitelist) {
      out.push({ field, code: ErrorCode.FIELD_UNKNOWN, message: `${field} is not a known field` });
    } else if (e.value === undefined && constraints.length > 0) {
      out.push({ field, code: ErrorCode.FIELD_REQUIRED, message: `${field} is required` });
    } else {
      for (const [name, message] of constraints) {
        out.push({
          field,
          code: CONSTRAINT_CODES[name] ?? ErrorCode.FIELD_INVALID_FORMAT,
          message,
        });
      }
    }
    if (e.children?.length) out.push(...fieldErrors(e.children, field));
  }
  return out;
}

/**
 * The API's validation pipe: whitelisting, unknown fields refused, transformation, and failures
 * as a ValidationFailedError (problem details with one entry per field).
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError(fieldErrors(errors)),
  });
}

export interface JsonBounds {
  /** Deepest nesting of objects and arrays; the API's bodies are at most 2 deep. */
  maxDepth: number;
  /** Object members and array elements in the whole document. */
  maxMembers: number;
}

export const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 16, maxMembers: 1000 };

/**
 * Refuses a parsed JSON document that nests deeper or holds more members than `bounds`, before
 * anything recursive (validation, transformation) walks it. Iterative, so the check itself cannot
 * overflow the stack.
 */
export function assertJsonWithinBounds(value: unknown, bounds: JsonBounds = DEFAULT_JSON_BOUNDS) {
  const stack: [unknown, number][] = [[value, 1]];
  let members = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > bounds.maxDepth) {
      throw new RequestRejectedError(
        400,
        ErrorCode.BODY_TOO_COMPLEX,
        `JSON nested deeper than ${bounds.maxDepth} levels`,
      );
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    members += children.length;
    if (members > bounds.maxMembers) {
      throw new RequestRejectedError(
        400,
        ErrorCode.BODY_TOO_COMPLEX,
        `JSON with more than ${bounds.maxMembers} members`,
      );
    }
    for (const child of children) stack.push([child, depth + 1]);
  }
}

/**
 * An optional field that, when present, must be valid: unlike class-validator's `@IsOptional()`,
 * an explicit `null` is validated (and so refused by a type check) instead of skipped, so the
 * schema's "string, may be omitted" holds on the wire.
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
