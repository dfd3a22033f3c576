import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, problem, PROBLEM_CONTENT_TYPE } from './errors';
import { httpRequestsAbandoned, httpRequestsShed } from './metrics';

export interface LoadSheddingOptions {
  /** Requests being served at once above which new ones are answered 503 at once. */
  maxInFlight: number;
  /**
   * Mean event-loop delay (ms) over a 250 ms window above which a growing share of new requests is
   * answered 503 at once (ShedGovernor); 0 = off.
   */
  maxEventLoopDelayMs: number;
  /**
   * The longest a new request should wait in the server (ms): requests in flight beyond what the
   * server answers in that time are answered 503 at once (QueueTimeBound); 0 = off.
   */
  maxQueueTimeMs: number;
  /** Retry-After (seconds) on a shed answer. */
  retryAfterSeconds: number;
}

/** Probes and scrapes are never shed: liveness must answer, and readiness reports the overload. */
const EXEMPT = /^\/(health|metrics)(\/|\?|$)/;

type ShedReason = 'in_flight' | 'event_loop_delay' | 'queue_time';

interface ServerLoad {
  readonly inFlight: number;
  /** Which bound is exceeded right now, if any. */
  overload(): ShedReason | undefined;
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
 * Decides which share of new requests to shed while the event loop lags, from one verdict per
 * window (over the target or not). Over capacity on CPU, requests wait in the kernel's socket
 * buffers until the busy loop reads them, where no in-flight count sees them (the spike's
 * timeouts, docs/PERFORMANCE.md). While windows are over, the share grows by a tenth per window
 * (to at most 95%); once they are not, it falls by 30% per window (to 0). Shedding a share
 * instead of everything lets a saturated server keep serving what it can and answer the excess
 * cheaply, which brings it back under its targets; the share then settles where the served load
 * matches the capacity. A spike raises it to 95% within 2.5 s of 250 ms windows; once the load is
 * gone it is back to 0 within about 3 s. One odd window moves it by a tenth, no more.
 */
export class ShedGovernor {
  static readonly STEP_UP = 0.1;
  static readonly DECAY = 0.7;
  static readonly MAX_SHARE = 0.95;
  private current = 0;

  /** The share of new requests shed now, 0 to MAX_SHARE. */
  get share(): number {
    return this.current;
  }

  /** One window's verdict: was the server over one of its targets? */
  observe(over: boolean): void {
    if (over) {
      this.current = Math.min(ShedGovernor.MAX_SHARE, this.current + ShedGovernor.STEP_UP);
    } else {
      this.current *= ShedGovernor.DECAY;
      if (this.current < 0.01) this.current = 0;
    }
  }

  shouldShed(random: () => number = Math.random): boolean {
    return this.current > 0 && random() < this.current;
  }
}

/**
 * Over a dependency's capacity, requests wait for it inside the server. A fixed count bound sheds
 * at a number of waiting requests whatever the wait; this bound sheds when the wait a new request
 * would have is longer than the target, which is what clients time out on. By Little's law a new
 * request waits about (requests in flight) / (requests answered per second while busy), so while
 * requests are slow the server admits at most `capacity x target` at once.
 * - The capacity is the answers per second of *busy* time (some request in flight), measured per
 *   250 ms window and smoothed over about a second: at low load, answers per second of wall time
 *   are the demand, not what the server can do, and synchronised clients arriving together would
 *   read as a queue.
 * - It binds only while the server is saturated: busy at least 90% of the last window, and slow,
 *   the answers' time in the server (smoothed the same way) or the age of the oldest request
 *   still in flight over a quarter of the target. Clients that arrive together at low load make
 *   a short busy burst with slow answers at its end; that is not a standing queue.
 * - Below FLOOR requests in flight nothing is shed for this: a stalled dependency's capacity of 0
 *   says nothing about a burst.
 */
export class QueueTimeBound {
  static readonly FLOOR = 100;
  private open = 0;
  private busySince = 0;
  private busyMs = 0;
  private answered = 0;
  private answeredMs = 0;
  private capacityPerSecond = 0;
  private latencyMs = 0;
  private windowStart = 0;
  private busyShare = 0;

  constructor(private readonly targetMs: number) {}

  /** A request was admitted at `now` (ms, a monotonic clock). */
  admit(now: number): void {
    if (this.open++ === 0) this.busySince = now;
  }

  /** A request admitted `ms` ago was answered (or its client left) at `now`. */
  record(ms: number, now: number): void {
    this.answered++;
    this.answeredMs += ms;
    this.leave(now);
  }

  /** A request was dropped at `now` without an answer (its client had gone before it was read). */
  leave(now: number): void {
    if (--this.open === 0) this.busyMs += now - this.busySince;
  }

  /** The end of a window at `now`: fold it into the averages and start a fresh one. */
  endWindow(now: number): void {
    if (this.open > 0) {
      this.busyMs += now - this.busySince;
      this.busySince = now;
    }
    this.busyShare = this.busyMs / Math.max(1, now - this.windowStart);
    this.windowStart = now;
    // An idle window says nothing about capacity.
    if (this.busyMs > 0) {
      const capacity = (this.answered * 1000) / this.busyMs;
      this.capacityPerSecond = this.capacityPerSecond * 0.5 + capacity * 0.5;
    }
    if (this.answered > 0) {
      this.latencyMs = this.latencyMs * 0.5 + (this.answeredMs / this.answered) * 0.5;
    }
    this.answered = 0;
    this.answeredMs = 0;
    this.busyMs = 0;
  }

  /** How many requests may be in flight now, given the oldest one's age (ms). */
  limit(oldestAgeMs: number): number {
    if (this.busyShare < 0.9) return Infinity;
    if (Math.max(this.latencyMs, oldestAgeMs) <= this.targetMs / 4) return Infinity;
    return Math.max(
      QueueTimeBound.FLOOR,
      Math.floor((this.capacityPerSecond * this.targetMs) / 1000),
    );
  }
}

/**
 * Samples the loop's delay with a 20 ms timer (how late each tick runs) and hands `onWindow` each
 * window's mean delay (ms). Not Node's `monitorEventLoopDelay`: reading its mean and resetting it
 * walks the whole HDR histogram, ~1.5 ms per window, more than the sampling it replaces (measured
 * at idle: 0.6% of a core for four windows a second).
 */
function watchEventLoop(windowMs: number, onWindow: (delayMs: number) => void): () => void {
  const tickMs = 20;
  let last = performance.now();
  let windowStart = last;
  let sum = 0;
  let samples = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    // A loop blocked for 600 ms runs this tick once, 580 ms late: that window reads the delay.
    sum += Math.max(0, now - last - tickMs);
    samples++;
    last = now;
    if (now - windowStart >= windowMs) {
      onWindow(sum / samples);
      sum = 0;
      samples = 0;
      windowStart = now;
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Over capacity, the gateway answers at once instead of queueing until clients time out: a
 * request that arrives while `maxInFlight` requests are being served, or while more are in flight
 * than the server answers in `maxQueueTimeMs` (QueueTimeBound), or that the ShedGovernor picks
 * while the event loop lags beyond `maxEventLoopDelayMs`, gets 503 with Retry-After and a problem
 * body, before any parsing, auth or I/O.
 */
export function registerLoadShedding(fastify: FastifyInstance, options: LoadSheddingOptions): void {
  const WINDOW_MS = 250;
  const governor = options.maxEventLoopDelayMs > 0 ? new ShedGovernor() : undefined;
  const queue = options.maxQueueTimeMs > 0 ? new QueueTimeBound(options.maxQueueTimeMs) : undefined;
  const unwatch =
    governor || queue
      ? watchEventLoop(WINDOW_MS, (delayMs) => {
          queue?.endWindow(performance.now());
          governor?.observe(delayMs > options.maxEventLoopDelayMs);
        })
      : undefined;
  // The requests in flight and when each was admitted, oldest first (a Map keeps insertion order);
  // its size is the in-flight count.
  const admitted = new Map<FastifyRequest, number>();
  const oldestAgeMs = () => {
    for (const at of admitted.values()) return performance.now() - at;
    return 0;
  };
  const server: ServerLoad = {
    get inFlight() {
      return admitted.size;
    },
    overload: () =>
      server.inFlight >= options.maxInFlight
        ? 'in_flight'
        : queue && server.inFlight >= queue.limit(oldestAgeMs())
          ? 'queue_time'
          : governor?.shouldShed()
            ? 'event_loop_delay'
            : undefined,
    // Readiness: at the in-flight cap, or shedding for this process's own loop. Not for queue
    // time: when a shared dependency is slow, every pod is, and a load balancer that takes them
    // all out of rotation turns slow answers into none (the same reason readiness leaves out the
    // dependencies).
    overloaded: () => server.inFlight >= options.maxInFlight || (governor?.share ?? 0) > 0,
  };
  servers.add(server);
  fastify.addHook('onClose', (_instance, done) => {
    servers.delete(server);
    unwatch?.();
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
    const at = performance.now();
    admitted.set(req, at);
    queue?.admit(at);
    // 'close' fires once the response is written or the client has gone, whichever comes first.
    reply.raw.once('close', () => {
      if (!admitted.delete(req)) return;
      const now = performance.now();
      queue?.record(now - at, now);
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
        if (admitted.delete(req)) queue?.leave(performance.now());
        // Nothing more: the connection is closing and no response can reach the client.
      }),
    );
  });
}
