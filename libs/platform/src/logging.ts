import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { type Logger } from 'pino';

/** Paths never logged per request: probes and scrapes would drown the real traffic. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * Headers, cookies and fields that may carry secrets. Redaction happens in pino, so no code path
 * (request logger, error filter, ad-hoc log) can print them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'DATABASE_URL',
  'JWT_SECRET',
];

/** Success lines written per second at most; past it they are counted, and the count logged. */
export const SUCCESS_LINES_PER_SECOND = 100;

let rootLogger: Logger | undefined;

/**
 * One pino logger per process, with redaction and the active span's trace ids on every line.
 * There is no per-request child logger (pino-http's costs a serialisation per request): the HTTP
 * server writes one line per finished request itself (logRequest, from createHttpApp).
 */
export function loggerParams(
  serviceName: string,
  /** The validated LOG_LEVEL (RuntimeConfig). */
  level: string,
  destination?: pino.DestinationStream,
): Params {
  const options: pino.LoggerOptions = {
    level,
    base: { service: serviceName },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => traceFields(),
  };
  rootLogger = destination ? pino(options, destination) : pino(options);
  // forRoutes: none. nestjs-pino would otherwise run a middleware on every request that only
  // binds the request's pino-http logger in AsyncLocalStorage; there is no such logger here (the
  // root logger is used everywhere), so it was ~3% of a request's CPU for nothing.
  return { pinoHttp: { logger: rootLogger }, useExisting: true, forRoutes: [] };
}

/** The request id: the caller's X-Request-Id when it is a sane token, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

const window = { second: 0, written: 0, skipped: 0 };

/**
 * One line per finished request. Probes and scrapes are not logged; server faults always are;
 * other lines (successes, 4xx, shed 503s) up to SUCCESS_LINES_PER_SECOND, the rest counted and
 * the count reported on the next line written.
 */
export function logRequest(entry: {
  reqId: string;
  traceId?: string;
  method: string;
  url: string;
  statusCode: number;
  ms: number;
}): void {
  const logger = rootLogger;
  if (!logger || QUIET_PATHS.test(entry.url)) return;
  const status = entry.statusCode;
  // Server faults are always written; successes, refusals and shed 503s are sampled.
  if (status < 500 || status === 503) {
    if (!logger.isLevelEnabled(status < 400 ? 'info' : 'warn')) return;
    const second = Math.floor(Date.now() / 1000);
    if (second !== window.second) {
      window.second = second;
      window.written = 0;
    }
    if (window.written >= SUCCESS_LINES_PER_SECOND) {
      window.skipped++;
      return;
    }
    window.written++;
  }
  const skipped = window.skipped;
  window.skipped = 0;
  const line = { ...entry, ...(skipped ? { successLinesSkipped: skipped } : {}) };
  if (status >= 500) logger.error(line, 'request failed');
  else if (status >= 400) logger.warn(line, 'request refused');
  else logger.info(line, 'request completed');
}

/** Trace ids of the active OpenTelemetry span, if tracing is on; set by the tracing module. */
export let traceFields: () => Record<string, string> = () => ({});
export function setTraceFieldsProvider(fn: () => Record<string, string>): void {
  traceFields = fn;
}
