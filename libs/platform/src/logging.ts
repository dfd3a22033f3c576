import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

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

/** `level` is the validated LOG_LEVEL (RuntimeConfig). */
export function loggerParams(serviceName: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service: serviceName },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => {
        const incoming = req.headers['x-request-id'];
        return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming)
          ? incoming
          : randomUUID();
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
      customProps: () => traceFields(),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  };
}

/** Trace ids of the active OpenTelemetry span, if tracing is on; set by the tracing module. */
export let traceFields: () => Record<string, string> = () => ({});
export function setTraceFieldsProvider(fn: () => Record<string, string>): void {
  traceFields = fn;
}
