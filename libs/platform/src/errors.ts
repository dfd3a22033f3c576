import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/**
 * The one vocabulary of error codes the API returns, in `code` of every problem details body and
 * in `errors[].code` of every field error. Values are stable: clients branch on them, so a code
 * is never renamed or reused for another meaning. The README's "Errors" section lists them.
 */
export enum ErrorCode {
  // request-level
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  BODY_TOO_COMPLEX = 'BODY_TOO_COMPLEX',
  BODY_TOO_LARGE = 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  CROSS_SITE_REQUEST = 'CROSS_SITE_REQUEST',
  FORBIDDEN = 'FORBIDDEN',
  RATE_LIMITED = 'RATE_LIMITED',
  CONFLICT = 'CONFLICT',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  JOB_NOT_FOUND = 'JOB_NOT_FOUND',
  JOB_CONFLICT = 'JOB_CONFLICT',
  INVALID_CURSOR = 'INVALID_CURSOR',
  INVALID_JOB = 'INVALID_JOB',
  INVALID_WEBHOOK_URL = 'INVALID_WEBHOOK_URL',
  WEBHOOK_NOT_SET = 'WEBHOOK_NOT_SET',
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
  OVERLOADED = 'OVERLOADED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  // field-level, in errors[].code
  FIELD_REQUIRED = 'FIELD_REQUIRED',
  FIELD_UNKNOWN = 'FIELD_UNKNOWN',
  FIELD_INVALID_TYPE = 'FIELD_INVALID_TYPE',
  FIELD_INVALID_FORMAT = 'FIELD_INVALID_FORMAT',
  FIELD_INVALID_LENGTH = 'FIELD_INVALID_LENGTH',
  FIELD_OUT_OF_RANGE = 'FIELD_OUT_OF_RANGE',
  FIELD_NOT_ALLOWED_VALUE = 'FIELD_NOT_ALLOWED_VALUE',
}

/** A short, fixed summary per code: the problem type's `title` (RFC 9457 §3.1.3). */
const TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request has invalid fields',
  MALFORMED_REQUEST: 'The request is malformed',
  BODY_TOO_COMPLEX: 'The request body is nested too deeply or has too many members',
  BODY_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  ROUTE_NOT_FOUND: 'No such endpoint',
  METHOD_NOT_ALLOWED: 'Method not allowed on this endpoint',
  UNAUTHENTICATED: 'Authentication required',
  INVALID_CREDENTIALS: 'Invalid e-mail or password',
  CROSS_SITE_REQUEST: 'Cross-site request refused',
  FORBIDDEN: 'Forbidden',
  RATE_LIMITED: 'Too many requests',
  CONFLICT: 'Conflict',
  EMAIL_TAKEN: 'E-mail already registered',
  JOB_NOT_FOUND: 'Job not found',
  JOB_CONFLICT: 'The job changed concurrently',
  INVALID_CURSOR: 'Invalid cursor',
  INVALID_JOB: 'The job is not acceptable',
  INVALID_WEBHOOK_URL: 'The webhook URL is not acceptable',
  WEBHOOK_NOT_SET: 'No webhook is set',
  DEPENDENCY_UNAVAILABLE: 'Service temporarily unavailable',
  OVERLOADED: 'The server is over capacity',
  INTERNAL_ERROR: 'Internal server error',
  FIELD_REQUIRED: 'Field required',
  FIELD_UNKNOWN: 'Unknown field',
  FIELD_INVALID_TYPE: 'Field has the wrong type',
  FIELD_INVALID_FORMAT: 'Field has the wrong format',
  FIELD_INVALID_LENGTH: 'Field has the wrong length',
  FIELD_OUT_OF_RANGE: 'Field out of range',
  FIELD_NOT_ALLOWED_VALUE: 'Field value not allowed',
};

/** The problem type URI of a code; a URN, so it names the type without promising a web page. */
export function problemType(code: ErrorCode): string {
  return `urn:pricewatch:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export interface FieldError {
  /** The field's path in the body or query, dotted for nested members. */
  field: string;
  code: ErrorCode;
  message: string;
}

/** RFC 9457 problem details, with the API's extension members `code`, `errors` and `errorId`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  errorId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problem(
  status: number,
  code: ErrorCode,
  detail: string,
  extra: Pick<ProblemDetails, 'errors' | 'errorId'> = {},
): ProblemDetails {
  return { type: problemType(code), title: TITLES[code], status, detail, code, ...extra };
}

/**
 * A failure the caller can understand and act on. Libraries subclass it with a code from
 * ErrorCode; the one exception filter maps it to HTTP. The message is shown to the client as
 * `detail`, so it must never carry internals (SDK messages, SQL, stack).
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  /** Field errors, when the failure is about particular input fields. */
  errors?: FieldError[];
  /** Response headers that belong to the failure (Allow, Retry-After). */
  headers?: Record<string, string>;
}

/** A dependency (database, DynamoDB, SQS) is unreachable or overloaded: 503, retry later. */
export class DependencyUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = ErrorCode.DEPENDENCY_UNAVAILABLE;
  constructor(
    readonly dependency: string,
    override readonly cause?: unknown,
  ) {
    super('Service temporarily unavailable; retry shortly');
  }
}

/** Input that fails the request's declared constraints: 400 with one entry per field. */
export class ValidationFailedError extends DomainError {
  readonly status = 400;
  readonly code = ErrorCode.VALIDATION_FAILED;
  constructor(errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; ') || 'The request is invalid');
    this.errors = errors;
  }
}

/** A request the server cannot read at all (syntax, nesting, size): no field to blame. */
export class RequestRejectedError extends DomainError {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** No token, or one that is invalid, expired or revoked. */
export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = 'Authentication required') {
    super(message);
  }
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = ErrorCode.METHOD_NOT_ALLOWED;
  constructor(method: string, allowed: string[]) {
    super(`${method} is not allowed here; allowed: ${allowed.join(', ')}`);
    this.headers = { allow: allowed.join(', ') };
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** AWS SDK throttling, server faults and network failures: the caller should retry, not fix its request. */
export function isTransientDependencyError(err: unknown): boolean {
  const e = err as {
    $retryable?: unknown;
    $fault?: string;
    name?: string;
    code?: string;
    $metadata?: unknown;
  };
  if (!e || typeof e !== 'object') return false;
  if (e.$metadata !== undefined && (e.$retryable || e.$fault === 'server')) return true;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  return typeof e.code === 'string' && TRANSIENT_CODES.has(e.code);
}

/** The code of an HTTP exception that carries none of its own (Nest's, the throttler's, Terminus'). */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.MALFORMED_REQUEST;
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.ROUTE_NOT_FOUND;
    case 405:
      return ErrorCode.METHOD_NOT_ALLOWED;
    case 409:
      return ErrorCode.CONFLICT;
    case 413:
      return ErrorCode.BODY_TOO_LARGE;
    case 415:
      return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 503:
      return ErrorCode.DEPENDENCY_UNAVAILABLE;
    default:
      return status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.MALFORMED_REQUEST;
  }
}

/** Works on both Fastify replies and Node responses, so it also serves errors raised outside Nest. */
interface ReplyLike {
  status?: (code: number) => ReplyLike;
  code?: (code: number) => ReplyLike;
  header?: (name: string, value: string) => ReplyLike;
  send: (body: unknown) => unknown;
}

interface RequestLike {
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  server?: object;
}

/** Which methods a path answers to; the HTTP bootstrap fills it from the routes it registers. */
export interface RouteMethods {
  allowedMethods(path: string): string[];
}

const routeMethodsByServer = new WeakMap<object, RouteMethods>();

/** Lets the exception filter find the routes of the server a request came through. */
export function registerRouteMethods(server: object, routes: RouteMethods): void {
  routeMethodsByServer.set(server, routes);
}

export interface ProblemResponse {
  body: ProblemDetails;
  headers: Record<string, string>;
}

/**
 * Every error leaves the server here, as RFC 9457 problem details (`application/problem+json`):
 * domain errors with their own code, HTTP exceptions of Nest and its modules with a code from
 * their status, errors Fastify raises itself (bad JSON, body too large, media type) with a fixed
 * message, and anything else as a 500 whose `errorId` is logged with the error.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<ReplyLike>();
    const { body, headers } = this.toResponse(exception, http.getRequest<RequestLike>());
    const r = reply.code ? reply.code(body.status) : reply.status!(body.status);
    for (const [name, value] of Object.entries(headers)) r.header?.(name, value);
    r.header?.('content-type', PROBLEM_CONTENT_TYPE);
    r.send(body);
  }

  toResponse(exception: unknown, req?: RequestLike): ProblemResponse {
    const routeMiss =
      exception instanceof NotFoundException && req !== undefined && !req.routeOptions?.url;
    // A method the path does not serve: 405, whatever failed on the way (Nest's 404, or Fastify
    // refusing the body of a method such as QUERY before any route ran).
    const routes = req?.server ? routeMethodsByServer.get(req.server) : undefined;
    if (routes && req?.url !== undefined && req.method !== undefined) {
      const method = req.method.toUpperCase();
      const allowed = routes.allowedMethods(req.url.split('?')[0]);
      if (allowed.length > 0 && !allowed.includes(method)) {
        exception = new MethodNotAllowedError(method, allowed);
      }
    }
    if (routeMiss && !(exception instanceof MethodNotAllowedError)) {
      return {
        body: problem(404, ErrorCode.ROUTE_NOT_FOUND, 'No endpoint at this path'),
        headers: {},
      };
    }
    const body = this.toBody(exception);
    const headers = exception instanceof DomainError ? { ...exception.headers } : {};
    // A dependency outage is temporary: tell clients (and load balancers) when to come back.
    if (body.code === ErrorCode.DEPENDENCY_UNAVAILABLE) headers['retry-after'] ??= '5';
    return { body, headers };
  }

  toBody(exception: unknown): ProblemDetails {
    if (exception instanceof DependencyUnavailableError || isTransientDependencyError(exception)) {
      const dependency =
        exception instanceof DependencyUnavailableError ? exception.dependency : 'aws';
      const cause = exception instanceof DependencyUnavailableError ? exception.cause : exception;
      // For operators only: the cause's message, with any connection string cut out.
      const reason = String((cause as Error)?.message ?? cause)
        .replace(/[a-z]+:\/\/\S+/gi, '[url]')
        .slice(0, 300);
      this.logger.warn({ dependency, reason }, 'dependency unavailable');
      return problem(
        503,
        ErrorCode.DEPENDENCY_UNAVAILABLE,
        'Service temporarily unavailable; retry shortly',
      );
    }
    if (exception instanceof DomainError) {
      return problem(
        exception.status,
        exception.code,
        exception.message,
        exception.errors ? { errors: exception.errors } : {},
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return this.serverError(status, exception);
      // Nest's own exceptions carry messages written in this codebase or by Nest, never input
      // echoes or internals; an array (a pipe's messages) is joined.
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : ((response as { message?: unknown }).message ?? exception.message);
      const detail = Array.isArray(message) ? message.join('; ') : String(message);
      return problem(status, codeForStatus(status), detail);
    }
    const status = httpStatusOfForeignError(exception);
    if (status !== undefined && status < 500) {
      return problem(status, codeForStatus(status), safeClientMessage(status));
    }
    return this.serverError(status ?? 500, exception);
  }

  private serverError(status: number, exception: unknown): ProblemDetails {
    if (status === 503) {
      return problem(503, ErrorCode.DEPENDENCY_UNAVAILABLE, 'Service temporarily unavailable');
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, err: exception }, 'unhandled error');
    return problem(
      500,
      ErrorCode.INTERNAL_ERROR,
      `Internal server error; quote errorId ${errorId} when reporting it`,
      { errorId },
    );
  }
}

/** Errors raised by Fastify itself (body too large, bad JSON, ...) carry a statusCode. */
function httpStatusOfForeignError(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : undefined;
}

function safeClientMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Malformed request body';
    case 413:
      return 'Request body too large';
    case 415:
      return 'Unsupported media type: send application/json';
    default:
      return STATUS_CODES[status] ?? 'Request error';
  }
}
