/**
 * The seed's load, stress and spike scenarios against the authenticated GET /api/v1/jobs?limit=20:
 *
 *   npm run bench:k6 -- load|stress|spike        (builds the gateway, then npx tsx bench/k6/run.ts)
 *   BENCH_TIME_SCALE=1 npm run bench:k6 -- spike (full-length stages; the default keeps each ≤ 3 min)
 *
 * Starts the embedded stack with the production gateway bundle (logs off), seeds users and jobs,
 * runs the scenario (k6 when K6 names a binary or k6 is on PATH, else the same stages through
 * bench/k6/executor.ts), prints a table in the seed's columns next to the seed's published row,
 * and exits 1 when the run misses its goal (scenarios.json), so a script can tell.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatewayLag, startGatewayStack, type GatewayStack } from '../support/gateway-stack';
import type { ExecutorConfig, ExecutorResult, Stage } from './executor';
import { benchHeader } from '../support/machine';
import { procCpuMs, procStatusKb } from '../support/proc';

interface ScenarioSpec {
  description: string;
  defaultTimeScale: number;
  stages: (Stage & { fixed?: boolean })[];
  requestTimeoutSeconds: number;
  goal: { maxErrorRate?: number; maxTimeouts?: number };
  seed: { vus: number; timeoutRate?: number; note: string };
}

const DIR = __dirname;
const SCENARIOS = JSON.parse(readFileSync(path.join(DIR, 'scenarios.json'), 'utf8')) as Record<
  string,
  ScenarioSpec
> & { thinkTimeSeconds: number };
const USERS = Number(process.env.BENCH_USERS) || 20;

function scaledStages(spec: ScenarioSpec, scale: number): Stage[] {
  return spec.stages.map((s) => ({
    duration: s.fixed ? s.duration : Math.max(1, Math.round(s.duration * scale)),
    target: s.target,
  }));
}

function findK6(): string | undefined {
  if (process.env.K6) return process.env.K6;
  const which = spawnSync('sh', ['-c', 'command -v k6'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

async function runExecutor(config: ExecutorConfig): Promise<ExecutorResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(DIR, 'executor.ts')], {
    env: { ...process.env, EXECUTOR_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`executor exited ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ExecutorResult;
}

/** k6's summary export, reduced to the executor's result shape. */
async function runK6(
  k6: string,
  name: string,
  stack: GatewayStack,
  scale: number,
): Promise<ExecutorResult> {
  const summary = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'pricewatch-k6-')), 's.json');
  const t0 = performance.now();
  const res = spawnSync(
    k6,
    ['run', '--quiet', `--summary-export=${summary}`, path.join(DIR, 'jobs-list.js')],
    {
      env: {
        ...process.env,
        SCENARIO: name,
        BASE: stack.base,
        TOKENS: JSON.stringify(stack.tokens),
        BENCH_TIME_SCALE: String(scale),
      },
      stdio: 'inherit',
    },
  );
  if (res.status !== 0 && res.status !== 99) throw new Error(`k6 exited ${res.status}`);
  type Metric = Record<string, number>;
  const m = (JSON.parse(await fs.readFile(summary, 'utf8')) as { metrics: Record<string, Metric> })
    .metrics;
  const requests = m.http_reqs?.count ?? 0;
  const failed = Math.round((m.http_req_failed?.value ?? 0) * requests);
  const timeouts = m.timeouts?.count ?? 0;
  const shed = m.shed?.count ?? 0;
  return {
    maxVus: m.vus_max?.max ?? m.vus_max?.value ?? 0,
    requests,
    ok: requests - failed,
    shed,
    httpErrors: Math.max(0, failed - shed - timeouts),
    timeouts,
    networkErrors: 0,
    meanMs: m.http_req_duration?.avg ?? 0,
    p95Ms: m.http_req_duration?.['p(95)'] ?? 0,
    p99Ms: m.http_req_duration?.['p(99)'] ?? 0,
    maxMs: m.http_req_duration?.max ?? 0,
    durationSeconds: (performance.now() - t0) / 1000,
  };
}

/**
 * The kernel's listen-queue counters (machine-wide, /proc/net/netstat): a connection attempt
 * that finds the server's accept queue full is dropped, and the client retries its SYN only after
 * 1 s, then 3 s. Linux only; empty elsewhere.
 */
function listenQueueCounters(): Record<string, number> {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/).map(Number);
    const out: Record<string, number> = {};
    names.forEach((n, i) => {
      if (n === 'ListenOverflows' || n === 'ListenDrops') out[n] = values[i];
    });
    return out;
  } catch {
    return {};
  }
}

function pct(n: number, d: number): string {
  return d === 0 ? '0%' : `${((n / d) * 100).toFixed(2)}%`;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const spec = name ? SCENARIOS[name] : undefined;
  if (!name || !spec || typeof spec !== 'object' || !('stages' in spec)) {
    console.error('usage: npm run bench:k6 -- load|stress|spike');
    process.exit(2);
  }
  const scale = Number(process.env.BENCH_TIME_SCALE) || spec.defaultTimeScale;
  const stages = scaledStages(spec, scale);
  const seconds = stages.reduce((a, s) => a + s.duration, 0);
  const k6 = findK6();
  console.log(
    await benchHeader(
      `bench:k6 ${name}`,
      `${spec.description}; ${seconds} s (time scale ${scale}); ` +
        `runner: ${k6 ?? 'bench/k6/executor.ts'}`,
    ),
  );

  const stack = await startGatewayStack({
    users: USERS,
    jobsPerUser: 20,
    env: { LOG_LEVEL: 'silent' },
    // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway.
    nodeArgs: (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  let result: ExecutorResult;
  let cpuMs: number;
  try {
    const listen0 = listenQueueCounters();
    const cpu0 = procCpuMs(stack.pid);
    // The gateway's CPU per 10 s, next to the executor's timeline.
    const gatewayCpu: { t: number; pct: number; lag?: string }[] = [];
    let last = cpu0;
    const sampler = setInterval(() => {
      const now = procCpuMs(stack.pid);
      const sample: (typeof gatewayCpu)[number] = {
        t: gatewayCpu.length * 10,
        pct: (now - last) / 100,
      };
      gatewayCpu.push(sample);
      last = now;
      // The gateway's event-loop delay over the window (prom-client resets its histogram on each
      // scrape): p99 and max, in ms. /metrics is never shed.
      void gatewayLag(stack.base).then((lag) => (sample.lag = lag));
    }, 10_000);
    void gatewayLag(stack.base); // resets the histogram at the start of the first window
    result = k6
      ? await runK6(k6, name, stack, scale)
      : await runExecutor({
          url: `${stack.base}/api/v1/jobs?limit=20`,
          tokens: stack.tokens,
          stages,
          thinkTimeSeconds: SCENARIOS.thinkTimeSeconds,
          requestTimeoutSeconds: spec.requestTimeoutSeconds,
        });
    clearInterval(sampler);
    cpuMs = procCpuMs(stack.pid) - cpu0;
    const listen1 = listenQueueCounters();
    // The gateway's own account: sheds by the bound that tripped, requests abandoned by clients.
    const gatewayCounters = await fetch(`${stack.base}/metrics`)
      .then((r) => r.text())
      .then((text) =>
        text
          .split('\n')
          .filter((l) => /^http_requests_(shed|abandoned)_total/.test(l))
          .join(' '),
      )
      .catch(() => 'unavailable');
    const listenQueue = Object.fromEntries(
      Object.entries(listen1).map(([k, v]) => [k, v - (listen0[k] ?? 0)]),
    );
    const rssMb = procStatusKb(stack.pid, 'VmHWM') / 1024;
    const errors = result.requests - result.ok;
    const rows = [
      {
        run: `this run (${name})`,
        VUs: result.maxVus,
        requests: result.requests,
        'error rate': pct(errors, result.requests),
        'of which shed 503': result.shed,
        timeouts: result.timeouts,
        'mean ms': result.meanMs.toFixed(1),
        'p95 ms': result.p95Ms.toFixed(1),
        'p99 ms': result.p99Ms.toFixed(1),
        'req/s': (result.requests / result.durationSeconds).toFixed(0),
        'gateway CPU ms/req': (cpuMs / Math.max(1, result.requests)).toFixed(2),
        'gateway RSS peak MB': rssMb.toFixed(0),
      },
      {
        run: 'seed (published)',
        VUs: spec.seed.vus,
        requests: '-',
        'error rate': spec.seed.timeoutRate !== undefined ? pct(spec.seed.timeoutRate, 1) : '-',
        'of which shed 503': '-',
        timeouts: spec.seed.timeoutRate !== undefined ? pct(spec.seed.timeoutRate, 1) : '-',
        'mean ms': '-',
        'p95 ms': '-',
        'p99 ms': '-',
        'req/s': '-',
        'gateway CPU ms/req': '-',
        'gateway RSS peak MB': spec.seed.note,
      },
    ];
    console.table(rows);
    const misses: string[] = [];
    if (spec.goal.maxErrorRate !== undefined && errors / result.requests > spec.goal.maxErrorRate) {
      misses.push(`error rate ${pct(errors, result.requests)} > ${pct(spec.goal.maxErrorRate, 1)}`);
    }
    if (spec.goal.maxTimeouts !== undefined && result.timeouts > spec.goal.maxTimeouts) {
      misses.push(
        `${result.timeouts} requests unanswered within ${spec.requestTimeoutSeconds} s (goal ${spec.goal.maxTimeouts})`,
      );
    }
    if (result.requests === 0) misses.push('no request was made');
    console.log(`gateway counters: ${gatewayCounters || 'none'}`);
    if (result.timeline) {
      console.log(
        'per 10 s: t, VUs, ok, shed, timeouts, other errors, gateway CPU % of a core, gateway event-loop delay p99/max ms',
      );
      for (const w of result.timeline) {
        const cpu = gatewayCpu.find((c) => c.t === w.t);
        console.log(
          `  ${w.t}s ${w.vus} ${w.ok} ${w.shed} ${w.timeout} ${w.other} ${cpu ? cpu.pct.toFixed(0) : '?'}% ${cpu?.lag ?? '?'}`,
        );
      }
    }
    if (result.timeouts > 0 || result.connections !== undefined) {
      console.log(
        `where the time went: ${result.timeoutsConnecting ?? '?'} of ${result.timeouts} timeouts ` +
          `before the TCP connection was up; ${result.connections ?? '?'} connections opened ` +
          `(connect p99 ${result.connectP99Ms?.toFixed(0) ?? '?'} ms, max ${result.connectMaxMs?.toFixed(0) ?? '?'} ms); ` +
          `kernel listen-queue overflows during the run (machine-wide): ${JSON.stringify(listenQueue)}; ` +
          `load generator's event-loop delay p99 ${result.generatorLagP99Ms?.toFixed(0) ?? '?'} ms, ` +
          `max ${result.generatorLagMaxMs?.toFixed(0) ?? '?'} ms`,
      );
    }
    console.log(
      JSON.stringify({ scenario: name, ...result, gatewayCpuMs: cpuMs, listenQueue, misses }),
    );
    if (misses.length) {
      console.log(`GOAL MISSED: ${misses.join('; ')}`);
      process.exitCode = 1;
    } else {
      console.log('goal met');
    }
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
