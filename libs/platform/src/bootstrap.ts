import { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ErrorCode, registerRouteMethods, RequestRejectedError, RouteMethods } from './errors';
import { registerLoadShedding, type LoadSheddingOptions } from './load-shedding';
import { observeHttpRequest } from './metrics';
import { assertJsonWithinBounds } from './validation';
import { logRequest, requestId } from './logging';
import { extractContext, initTracing, SpanKind, tracer, type TracingConfig } from './tracing';
import { context, Span, SpanStatusCode, trace } from '@opentelemetry/api';

export interface HttpAppOptions {
  /** Names the service on spans and logs. */
  serviceName?: string;
  /** Largest accepted request body; larger ones get 413 before any handler runs. */
  bodyLimitBytes?: number;
  /** Trust X-Forwarded-* from this many proxies (the ingress/ALB), for client IPs in throttling. */
  trustProxy?: boolean | number | string;
  /** Answer 503 at once when over capacity (docs/PERFORMANCE.md); off when absent. */
  loadShedding?: LoadSheddingOptions;
  /** The validated OTEL_* settings (RuntimeConfig). */
  tracing?: TracingConfig;
}

/**
 * The method/path pairs the server registered, to answer 405 with Allow for a known path asked
 * with another method. Patterns are Fastify's: `:param` is one segment, `*` the rest.
 */
export class RouteTable implements RouteMethods {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  add(method: string, url: string): void {
    const source = url
      .replace(/\/+$/, '')
      .split('/')
      .map((seg) =>
        seg === '*'
          ? '.*'
          : seg.startsWith(':')
            ? '[^/]+'
            : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    this.routes.push({ pattern: new RegExp(`^${source}/?$`), method: method.toUpperCase() });
  }

  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) methods.add(r.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}

/** Refuses to run on an older runtime than the project is built and tested on. */
export function assertNodeVersion(minMajor = 24): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < minMajor) {
    throw new Error(
      `pricewatch needs Node ${minMajor}+ (running ${process.versions.node}); run it through npm scripts`,
    );
  }
}

/**
 * The HTTP server every app uses: Fastify (chosen by measurement, see docs/DECISIONS.md), JSON
 * logs, RED metrics per route template, a server span per request, and shutdown hooks. Errors
 * Fastify raises itself (bad JSON, body too large) reach Nest's exception layer, so the global
 * AllExceptionsFilter gives them the API's error shape too.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024,
    trustProxy: options.trustProxy ?? false,
    // Keep-alive sockets are closed at shutdown once idle; busy ones finish their request first.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: requestId,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  // Nest's own JSON parser is off: the one registered below replaces Fastify's default.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const routes = new RouteTable();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.add(method, route.url);
  });
  // The exception filter answers 405 with Allow for a known path asked with another method.
  registerRouteMethods(fastify, routes);
  // An empty body with a JSON content type (some clients send the header on DELETE) means "no
  // body"; anything else goes through Fastify's own parser, with its prototype-poisoning guard,
  // then the nesting and size bounds, before validation walks it recursively.
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    return defaultJson(req, text, (err, parsed) => {
      if (err) return done(err, undefined);
      try {
        // Every body of these APIs is an object; `null`, a bare value or an array is not one.
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new RequestRejectedError(
            400,
            ErrorCode.MALFORMED_REQUEST,
            'The body must be a JSON object',
          );
        }
        assertJsonWithinBounds(parsed);
      } catch (bounds) {
        return done(bounds as Error, undefined);
      }
      return done(null, parsed);
    });
  });
  if (options.loadShedding) registerLoadShedding(fastify, options.loadShedding);
  initTracing(options.serviceName ?? 'pricewatch', options.tracing);
  const spans = new WeakMap<FastifyRequest, Span>();
  // A server span per request, continuing the caller's trace; `done` runs inside its context, so
  // the handler (and the SQS message it may send) sees it as the active span.
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const parent = extractContext(req.headers as Record<string, string>);
    const span = tracer().startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    spans.set(req, span);
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    observeHttpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const span = spans.get(req);
    logRequest({
      reqId: req.id,
      traceId: span?.spanContext().traceId,
      method: req.method,
      url: req.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    });
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', req.id);
  });
  return app;
}

/** Logs and exits when bootstrap fails, without printing configuration values. */
export function exitOnBootstrapError(err: unknown, ctx?: INestApplicationContext): never {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`${message}\n`);
  void ctx?.close();
  process.exit(1);
}
