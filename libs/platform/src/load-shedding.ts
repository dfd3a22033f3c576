import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, problem, PROBLEM_CONTENT_TYPE } from './errors';
import { httpRequestsAbandoned, httpRequestsShed } from './metrics';

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

interface ServerLoad {
  inFlight: number;
  /** Which bound is exceeded right now, if any. */
  overload(): 'in_flight' | 'event_loop_delay' | undefined;
  overloaded(): boolean;
}

/** The HTTP servers of this process that shed load (one in production; tests may start more). */
const servers = new Set<ServerLoad>();

/**
 * Whether this process is over capacity right now; the readiness endpoint reads it so a load
 * balancer steers away while it lasts.
 */
export const loadState = {
  get inFlight(): number {
    let n = 0;
    for (const s of servers) n += s.inFlight;
    return n;
  },
  overloaded(): boolean {
    for (const s of servers) if (s.overloaded()) return true;
    return false;
  },
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
  // sampleInterval stays at its default (1 s): the plugin reads an interval without any delay
  // sample as an infinite delay, and with 100 ms intervals a busy but healthy loop produced such
  // empty intervals often enough to shed 40% of a 100-connection run (measured, docs/PERFORMANCE.md).
  await fastify.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    sampleInterval: 1000,
    pressureHandler: () => undefined,
  });
  const counted = new WeakSet<FastifyRequest>();
  const server: ServerLoad = {
    inFlight: 0,
    overload: () =>
      server.inFlight >= options.maxInFlight
        ? 'in_flight'
        : fastify.isUnderPressure()
          ? 'event_loop_delay'
          : undefined,
    overloaded: () => server.overload() !== undefined,
  };
  servers.add(server);
  fastify.addHook('onClose', (_instance, done) => {
    servers.delete(server);
    done();
  });

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (EXEMPT.test(req.url)) return done();
    const overload = server.overload();
    if (overload) {
      httpRequestsShed.inc({ reason: overload });
      void reply
        .code(503)
        .header('retry-after', String(options.retryAfterSeconds))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(
          problem(
            503,
            ErrorCode.OVERLOADED,
            `The server is over capacity; retry after ${options.retryAfterSeconds} s`,
          ),
        );
      return;
    }
    server.inFlight++;
    counted.add(req);
    // 'close' fires once the response is written or the client has gone, whichever comes first.
    reply.raw.once('close', () => {
      if (counted.delete(req)) server.inFlight--;
    });
    // A request whose client has already gone is not served. Over capacity, connections wait in
    // the kernel's accept queue; a client that gave up meanwhile has sent its request and closed,
    // and serving it anyway (auth, DynamoDB, a response nobody reads) is what kept the gateway
    // busy with dead work after a spike, while every live client timed out (docs/PERFORMANCE.md).
    // Such a request arrives with the client's FIN right behind it: libuv reads the request, and
    // the end of the stream at the next poll of the event loop, when Node destroys the request
    // (http's default: no half-open connections). So the request waits for that poll (two
    // setImmediate turns: the second runs after the next poll phase) and is dropped if its
    // connection has ended by then.
    setImmediate(() =>
      setImmediate(() => {
        const socket = req.raw.socket;
        if (!req.raw.destroyed && !socket?.destroyed && !socket?.readableEnded) return done();
        httpRequestsAbandoned.inc();
        if (counted.delete(req)) server.inFlight--;
        // Nothing more: the connection is closing and no response can reach the client.
      }),
    );
  });
}
