import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/**
 * A failure the caller can understand and act on. Libraries subclass it with their own codes;
 * the one exception filter maps it to HTTP. The message is shown to the client, so it must never
 * carry internals (SDK messages, SQL, stack).
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** A dependency (database, DynamoDB, SQS) is unreachable or overloaded: 503, retry later. */
export class DependencyUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  constructor(
    readonly dependency: string,
    override readonly cause?: unknown,
  ) {
    super('Service temporarily unavailable; retry shortly');
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

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code?: string;
  errorId?: string;
}

export function errorBody(
  statusCode: number,
  message: string | string[],
  extra: Partial<ErrorBody> = {},
): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

/** Works on both Fastify replies and Node responses, so it also serves errors raised outside Nest. */
interface ReplyLike {
  status?: (code: number) => ReplyLike;
  code?: (code: number) => ReplyLike;
  header?: (name: string, value: string) => ReplyLike;
  send: (body: unknown) => unknown;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    const body = this.toBody(exception);
    const r = reply.code ? reply.code(body.statusCode) : reply.status!(body.statusCode);
    r.header?.('content-type', 'application/json; charset=utf-8');
    r.send(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DependencyUnavailableError || isTransientDependencyError(exception)) {
      const dependency =
        exception instanceof DependencyUnavailableError ? exception.dependency : 'aws';
      const cause = exception instanceof DependencyUnavailableError ? exception.cause : exception;
      // For operators only: the cause's message, with any connection string cut out.
      const reason = String((cause as Error)?.message ?? cause)
        .replace(/[a-z]+:\/\/\S+/gi, '[url]')
        .slice(0, 300);
      this.logger.warn({ dependency, reason }, 'dependency unavailable');
      return errorBody(503, 'Service temporarily unavailable; retry shortly', {
        code: 'DEPENDENCY_UNAVAILABLE',
      });
    }
    if (exception instanceof DomainError) {
      return errorBody(exception.status, exception.message, { code: exception.code });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string') return errorBody(status, response);
      const r = response as { message?: string | string[] };
      return errorBody(status, r.message ?? exception.message);
    }
    const status = httpStatusOfForeignError(exception);
    if (status !== undefined && status < 500) {
      return errorBody(status, safeClientMessage(status));
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, err: exception }, 'unhandled error');
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error', { errorId });
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
