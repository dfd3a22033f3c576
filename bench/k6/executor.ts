/**
 * k6's `ramping-vus` executor, in Node, for machines without k6 (k6 itself is AGPL and is not
 * installed by this project: see docs/DECISIONS.md). Each virtual user is a closed loop on its own
 * keep-alive connection: GET, then think time, then GET again; the number of live VUs follows the
 * stages linearly, as k6 does. Run as a child process by bench/k6/run.ts, so the load generator
 * has its own event loop; it prints one JSON result on stdout.
 *
 * Input (env): EXECUTOR_CONFIG = JSON of ExecutorConfig.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Stage {
  duration: number;
  target: number;
}

export interface ExecutorConfig {
  url: string;
  tokens: string[];
  stages: Stage[];
  thinkTimeSeconds: number;
  requestTimeoutSeconds: number;
}

export interface ExecutorResult {
  maxVus: number;
  requests: number;
  ok: number;
  /** 503 answered at once by load shedding (Retry-After set). */
  shed: number;
  /** Other non-2xx statuses. */
  httpErrors: number;
  /** No answer within requestTimeoutSeconds. */
  timeouts: number;
  /** Of those, the ones whose connection was never established (TCP connect still pending). */
  timeoutsConnecting?: number;
  /** New connections opened, and their connect time (p99, max), in ms. */
  connections?: number;
  connectP99Ms?: number;
  connectMaxMs?: number;
  /** The load generator's own event-loop delay (p99, max), in ms: when high, it is the bottleneck. */
  generatorLagP99Ms?: number;
  generatorLagMaxMs?: number;
  /** Per 10 s of the run: VUs at its end and outcomes of the requests that ended in it. */
  timeline?: { t: number; vus: number; ok: number; shed: number; timeout: number; other: number }[];
  /** Connection refused/reset and the like. */
  networkErrors: number;
  meanMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  durationSeconds: number;
}

/** VUs wanted at time t (seconds from start), interpolated linearly inside each stage. */
export function targetAt(stages: Stage[], t: number): number {
  let start = 0;
  let from = 0;
  for (const s of stages) {
    if (t < start + s.duration) {
      const f = s.duration === 0 ? 1 : (t - start) / s.duration;
      return Math.round(from + (s.target - from) * f);
    }
    start += s.duration;
    from = s.target;
  }
  return 0;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

type Outcome = 'ok' | 'shed' | 'http' | 'timeout' | 'network';

export async function execute(config: ExecutorConfig): Promise<ExecutorResult> {
  const totalSeconds = config.stages.reduce((a, s) => a + s.duration, 0);
  const target = new URL(config.url);
  const latencies: number[] = [];
  const counts: Record<Outcome, number> = { ok: 0, shed: 0, http: 0, timeout: 0, network: 0 };
  let maxVus = 0;
  let timeoutsConnecting = 0;
  const connectMs: number[] = [];
  const timeline: NonNullable<ExecutorResult['timeline']> = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;

  const once = (agent: http.Agent, token: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      const done = (o: Outcome) => {
        if (settled) return;
        settled = true;
        if (o !== 'timeout' && o !== 'network') latencies.push(performance.now() - started);
        resolve(o);
      };
      const req = http.get(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          agent,
          headers: { authorization: `Bearer ${token}` },
          timeout: config.requestTimeoutSeconds * 1000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const s = res.statusCode ?? 0;
            if (s >= 200 && s < 300) done('ok');
            else if (s === 503 && res.headers['retry-after']) done('shed');
            else done('http');
          });
          res.on('error', () => done('network'));
        },
      );
      // Where a timeout happened: before the TCP connection was up (the server's accept queue),
      // or after (the request waited for its answer).
      let connecting = false;
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        connecting = true;
        const opened = performance.now();
        socket.once('connect', () => {
          connecting = false;
          connectMs.push(performance.now() - opened);
        });
      });
      req.on('timeout', () => {
        if (!settled && connecting) timeoutsConnecting++;
        done('timeout');
        req.destroy();
      });
      req.on('error', () => done('network'));
    });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const vus = new Set<{ stop: boolean }>();
  const loops: Promise<void>[] = [];
  let next = 0;
  const startVu = () => {
    const handle = { stop: false };
    vus.add(handle);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const token = config.tokens[next++ % config.tokens.length];
    loops.push(
      (async () => {
        while (!handle.stop && elapsed() < totalSeconds) {
          const outcome = await once(agent, token);
          counts[outcome]++;
          const w = Math.floor(elapsed() / 10);
          while (timeline.length <= w) {
            timeline.push({
              t: timeline.length * 10,
              vus: 0,
              ok: 0,
              shed: 0,
              timeout: 0,
              other: 0,
            });
          }
          const slot = timeline[w];
          if (outcome === 'ok' || outcome === 'shed' || outcome === 'timeout') slot[outcome]++;
          else slot.other++;
          slot.vus = vus.size;
          if (config.thinkTimeSeconds > 0) await sleep(config.thinkTimeSeconds * 1000);
        }
        agent.destroy();
      })(),
    );
  };

  // Adjust the VU count ten times a second, as k6 does between iterations.
  while (elapsed() < totalSeconds) {
    const want = targetAt(config.stages, elapsed());
    while (vus.size < want) startVu();
    for (const h of vus) {
      if (vus.size <= want) break;
      h.stop = true;
      vus.delete(h);
    }
    maxVus = Math.max(maxVus, vus.size);
    await sleep(100);
  }
  for (const h of vus) h.stop = true;
  await Promise.all(loops);

  lag.disable();
  latencies.sort((a, b) => a - b);
  connectMs.sort((a, b) => a - b);
  const requests = counts.ok + counts.shed + counts.http + counts.timeout + counts.network;
  return {
    maxVus,
    requests,
    ok: counts.ok,
    shed: counts.shed,
    httpErrors: counts.http,
    timeouts: counts.timeout,
    timeoutsConnecting,
    connections: connectMs.length,
    connectP99Ms: percentile(connectMs, 99),
    connectMaxMs: connectMs.at(-1) ?? 0,
    generatorLagP99Ms: lag.percentile(99) / 1e6,
    generatorLagMaxMs: lag.max / 1e6,
    timeline,
    networkErrors: counts.network,
    meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
    durationSeconds: elapsed(),
  };
}

if (require.main === module) {
  const config = JSON.parse(process.env.EXECUTOR_CONFIG ?? '{}') as ExecutorConfig;
  execute(config).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
