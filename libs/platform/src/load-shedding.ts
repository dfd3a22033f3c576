import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpRequestsShed } from './metrics';

export interface LoadSheddingOptions {
  /** Requests being served at once above which new ones are answered 503 at once. */
  maxInFlight: number;
  /** Mean event-loop delay (ms) above which new requests are answered 503 at once; 0 = off. */
  maxEventLoopDelayMs: number;
  /** Retry-After (seconds) on a shed answer. */
  retryAfterSeconds: number;
}

/** Probes and scrapes are never shed: liveness must answer, and readiness reports the overload. */
const EXEMPT = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Whether this process is over capacity right now. One per process (an app has one HTTP server);
 * the readiness endpoint reads it so a load balancer steers away while it lasts.
 */
export const loadState = {
  inFlight: 0,
  overloaded: (): boolean => false,
};

/**
 * Over capacity, the gateway answers at once instead of queueing until clients time out: a
 * request that arrives while `maxInFlight` requests are being served, or while the event loop
 * lags beyond `maxEventLoopDelayMs` (measured by @fastify/under-pressure), gets 503 with
 * Retry-After and a problem body, before any parsing, auth or I/O.
 */
export async function registerLoadShedding(
  fastify: FastifyInstance,
  options: LoadSheddingOptions,
): Promise<void> {
  // under-pressure samples the event loop; the decision to shed is taken below, in one place,
  // so probes stay exempt and the in-flight bound and the lag bound answer the same way.
  await fastify.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    sampleInterval: 100,
    pressureHandler: () => undefined,
  });
  const counted = new WeakSet<FastifyRequest>();
  loadState.overloaded = () =>
    loadState.inFlight >= options.maxInFlight || fastify.isUnderPressure();

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (EXEMPT.test(req.url)) return done();
    if (loadState.overloaded()) {
      httpRequestsShed.inc();
      void reply
        .code(503)
        .header('retry-after', String(options.retryAfterSeconds))
        .header('content-type', 'application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: `The server is over capacity; retry after ${options.retryAfterSeconds} s`,
          code: 'OVERLOADED',
        });
      return;
    }
    loadState.inFlight++;
    counted.add(req);
    // 'close' fires once the response is written or the client has gone, whichever comes first.
    reply.raw.once('close', () => {
      if (counted.delete(req)) loadState.inFlight--;
    });
    done();
  });
}
