import {
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RuntimeConfig } from './config';
import { setTraceFieldsProvider } from './logging';

/**
 * OpenTelemetry for every app: a tracer provider with W3C trace-context propagation and an
 * AsyncLocalStorage context manager. Spans are exported over OTLP/HTTP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; without it they still exist, so trace ids are logged and
 * carried across SQS. No auto-instrumentation: the HTTP server span (bootstrap.ts) and the check
 * span (worker) are what the design needs, and they cost nothing per dependency call.
 */
let provider: NodeTracerProvider | undefined;

/** The tracing settings of RuntimeConfig. */
export type TracingConfig = Pick<
  RuntimeConfig,
  'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'
>;

export function initTracing(
  serviceName: string,
  config: TracingConfig = {},
  extraExporter?: SpanExporter,
): void {
  if (provider) return;
  const processors: SpanProcessor[] = [];
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (extraExporter) processors.push(new SimpleSpanProcessor(extraExporter));
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.OTEL_SERVICE_NAME || serviceName,
    }),
    spanProcessors: processors,
  });
  provider.register();
  setTraceFieldsProvider((): Record<string, string> => {
    const span = trace.getActiveSpan();
    if (!span) return {};
    const { traceId, spanId } = span.spanContext();
    return { traceId, spanId };
  });
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

export function tracer() {
  return trace.getTracer('pricewatch');
}

/** The propagation headers of the active context (traceparent, tracestate), for a message. */
export function currentTraceCarrier(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

export function extractContext(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs `fn` inside a new span that continues the trace in `carrier`; records errors. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
