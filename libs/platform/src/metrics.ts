import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; apps add their own metrics to it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const httpRequestErrors = new Counter({
  name: 'http_request_errors_total',
  help: 'HTTP responses with a 5xx status, by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  registers: [metricsRegistry],
});

export const httpRequestsShed = new Counter({
  name: 'http_requests_shed_total',
  help: 'Requests answered 503 at once because the server was over capacity (load shedding), by the bound that tripped (in_flight, event_loop_delay, queue_time)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const httpRequestsAbandoned = new Counter({
  name: 'http_requests_abandoned_total',
  help: 'Requests not served because their client had closed the connection before they were read (e.g. after waiting in the accept queue)',
  registers: [metricsRegistry],
});

/** Records one finished request; `route` must be the template (/jobs/:id), never the raw URL. */
export function observeHttpRequest(
  method: string,
  route: string,
  statusCode: number,
  seconds: number,
): void {
  const labels = { method, route, status_code: String(statusCode) };
  httpRequestDuration.observe(labels, seconds);
  if (statusCode >= 500) httpRequestErrors.inc(labels);
}
