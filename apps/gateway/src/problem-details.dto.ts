import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode } from '@app/platform';

const CODES = Object.values(ErrorCode);

/** One invalid input field. */
export class FieldErrorDto {
  /** The field's path, dotted for nested members. @example "targetPrice" */
  field!: string;

  /** What is wrong with it. */
  @ApiProperty({ enum: CODES, enumName: 'ErrorCode', example: 'FIELD_INVALID_FORMAT' })
  code!: ErrorCode;

  /** @example "targetPrice must be a positive decimal string such as \"19.99\"" */
  message!: string;
}

/**
 * Every error response: RFC 9457 problem details (`application/problem+json`) with the API's
 * extension members `code`, `errors` and `errorId`.
 */
export class ProblemDetailsDto {
  /** Identifies the problem type; one per code. @example "urn:pricewatch:problem:validation-failed" */
  @ApiProperty({ format: 'uri' })
  type!: string;

  /** A short summary, the same for every occurrence of the type. @example "The request has invalid fields" */
  title!: string;

  /** The HTTP status code. @example 400 */
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 })
  status!: number;

  /** This occurrence, in words a user can act on. @example "targetPrice must be a positive decimal string such as \"19.99\"" */
  detail!: string;

  /** A stable machine-readable code; clients branch on it, never on the text. */
  @ApiProperty({ enum: CODES, enumName: 'ErrorCode', example: 'VALIDATION_FAILED' })
  code!: ErrorCode;

  /** One entry per invalid field, on VALIDATION_FAILED (and INVALID_JOB when a field is at fault). */
  errors?: FieldErrorDto[];

  /** On 500 responses; quote it when reporting a problem (it is in the server's log). */
  @ApiProperty({ format: 'uuid', required: false })
  errorId?: string;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid or malformed input (VALIDATION_FAILED with `errors`, MALFORMED_REQUEST, BODY_TOO_COMPLEX, INVALID_JOB, INVALID_WEBHOOK_URL, INVALID_CURSOR)',
  401: 'Missing, invalid, expired or revoked token (UNAUTHENTICATED)',
  403: 'Unsafe request authenticated by the session cookie from another site (CROSS_SITE_REQUEST)',
  404: 'No such job for this user (JOB_NOT_FOUND)',
  409: 'Conflict',
  413: 'Body over 16 KiB (BODY_TOO_LARGE)',
  415: 'Body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  429: 'Too many attempts; see Retry-After (RATE_LIMITED)',
  503: 'A dependency is unavailable; retry shortly (DEPENDENCY_UNAVAILABLE)',
};

/**
 * Documents problem-details responses (`application/problem+json`) with their status codes;
 * `[status, description]` overrides the default description. Usable on a controller or a method.
 */
export function ApiProblems(...responses: (number | [number, string])[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto, FieldErrorDto),
    ...responses.map((r) => {
      const [status, description] = Array.isArray(r) ? r : [r, PROBLEM_DESCRIPTIONS[r] ?? ''];
      return ApiResponse({
        status,
        description,
        content: {
          'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
        },
      });
    }),
  );
}

/** Operations that take a JSON body can fail before the handler: syntax, size, media type. */
export const BODY_PROBLEMS = [400, 413, 415] as const;
