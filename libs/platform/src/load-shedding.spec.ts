import 'reflect-metadata';
import { Controller, Get, Module, Query } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createHttpApp } from './bootstrap';
import { RUNTIME_CONFIG, RuntimeConfig } from './config';
import { HealthEndpoints } from './health-endpoints';
import { loadState, QueueTimeBound, ShedGovernor, type LoadSheddingOptions } from './load-shedding';
import { httpRequestsAbandoned, httpRequestsShed } from './metrics';
import { ShutdownState } from './shutdown';

/** Requests to /slow wait until the test releases them, so "in flight" is under test control. */
const gate = { waiting: [] as (() => void)[] };

@Controller()
class SlowController {
  @Get('slow')
  slow(): Promise<{ ok: true }> {
    return new Promise((resolve) => gate.waiting.push(() => resolve({ ok: true })));
  }

  /** Answers after `ms`: a request waiting on a slow dependency. */
  @Get('held')
  held(@Query('ms') ms: string): Promise<{ ok: true }> {
    return new Promise((resolve) => setTimeout(() => resolve({ ok: true }), Number(ms)));
  }
}

@Controller('health')
class TestHealth extends HealthEndpoints {
  constructor(h: HealthCheckService, i: HealthIndicatorService, s: ShutdownState) {
    super(h, i, s);
  }
  protected dependencies() {
    return [];
  }
}

@Module({
  imports: [
    LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }),
    TerminusModule.forRoot({ logger: false }),
  ],
  controllers: [SlowController, TestHealth],
  providers: [ShutdownState, { provide: RUNTIME_CONFIG, useValue: new RuntimeConfig() }],
})
class TestModule {}

/** The test module behind a real Fastify server on a free loopback port, shedding as told. */
async function startApp(
  loadShedding: LoadSheddingOptions,
): Promise<{ app: NestFastifyApplication; port: number }> {
  const app = await createHttpApp(TestModule, { serviceName: 'test', loadShedding });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('load shedding', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await startApp({
      maxInFlight: 2,
      maxEventLoopDelayMs: 0,
      maxQueueTimeMs: 0,
      retryAfterSeconds: 3,
    }));
  });

  afterAll(async () => {
    gate.waiting.splice(0).forEach((release) => release());
    await app.close();
  });

  afterEach(async () => {
    gate.waiting.splice(0).forEach((release) => release());
    await until(() => loadState.inFlight === 0, 'in-flight requests to finish');
  });

  it('answers 503 with Retry-After and a problem body at once when the in-flight bound is reached', async () => {
    const first = get(port, '/slow');
    const second = get(port, '/slow');
    await until(() => gate.waiting.length === 2, 'two requests in the handler');

    const shed = await get(port, '/slow');
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('3');
    expect(shed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(shed.body)).toMatchObject({ status: 503, code: 'OVERLOADED' });
    // The shed request never reached the handler.
    expect(gate.waiting).toHaveLength(2);
    // Counted, with the bound that tripped.
    const shedMetric = await httpRequestsShed.get();
    expect(shedMetric.values.find((v) => v.labels.reason === 'in_flight')?.value).toBeGreaterThan(
      0,
    );

    gate.waiting.splice(0).forEach((release) => release());
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    // Capacity is back once they finish.
    const after = get(port, '/slow');
    await until(() => gate.waiting.length === 1, 'the next request in the handler');
    gate.waiting.splice(0).forEach((release) => release());
    expect((await after).status).toBe(200);
  });

  it('keeps liveness answering and turns readiness down while over capacity', async () => {
    const held = [get(port, '/slow'), get(port, '/slow')];
    await until(() => gate.waiting.length === 2, 'two requests in the handler');

    expect((await get(port, '/health/live')).status).toBe(200);
    const ready = await get(port, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('over capacity');

    gate.waiting.splice(0).forEach((release) => release());
    await Promise.all(held);
    expect((await get(port, '/health/ready')).status).toBe(200);
  });

  it('releases the slot of a client that hangs up mid-request (aborts cannot exhaust capacity)', async () => {
    for (let i = 0; i < 5; i++) {
      const req = http.get({ host: '127.0.0.1', port, path: '/slow', agent: false });
      req.on('error', () => undefined);
      await until(() => gate.waiting.length === 1, 'the request in the handler');
      req.destroy();
      await until(() => loadState.inFlight === 0, 'the aborted request to release its slot');
      gate.waiting.splice(0).forEach((release) => release());
    }
    const ok = get(port, '/slow');
    await until(() => gate.waiting.length === 1, 'a fresh request in the handler');
    gate.waiting.splice(0).forEach((release) => release());
    expect((await ok).status).toBe(200);
  });

  it('does not serve a request whose client closed before it was read (gave up while queued)', async () => {
    const abandonedBefore = (await httpRequestsAbandoned.get()).values[0]?.value ?? 0;
    // What a client that gave up in the accept queue leaves behind: its request, then its FIN,
    // both waiting before the server reads anything. A child process sends them while this
    // process (the server) is blocked in execFileSync, as a server over capacity is busy.
    const client = `const s = require('node:net').connect(${port}, '127.0.0.1', () =>
      s.end('GET /slow HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n', () => process.exit(0)));`;
    for (let i = 0; i < 3; i++) execFileSync(process.execPath, ['-e', client]);
    await until(
      async () =>
        ((await httpRequestsAbandoned.get()).values[0]?.value ?? 0) >= abandonedBefore + 3,
      'three abandoned requests counted',
    );
    // None reached the handler, and none holds a slot.
    expect(gate.waiting).toHaveLength(0);
    expect(loadState.inFlight).toBe(0);
    // A client that stays gets its answer as before.
    const ok = get(port, '/slow');
    await until(() => gate.waiting.length === 1, 'a live request in the handler');
    gate.waiting.splice(0).forEach((release) => release());
    expect((await ok).status).toBe(200);
  });
});

describe('ShedGovernor', () => {
  /** A fixed sequence of "random" numbers, evenly spread over [0, 1). */
  const evenly = (n: number) => Array.from({ length: n }, (_, i) => (i + 0.5) / n);
  const shedOf = (g: ShedGovernor, draws: number[]) => draws.filter((r) => g.shouldShed(() => r));

  it('sheds nothing while no window is over', () => {
    const g = new ShedGovernor();
    for (let i = 0; i < 10; i++) g.observe(false);
    expect(g.share).toBe(0);
    expect(shedOf(g, evenly(1000))).toHaveLength(0);
  });

  it('raises the share by a tenth per window over, to at most 95%, and sheds that share', () => {
    const g = new ShedGovernor();
    g.observe(true);
    expect(g.share).toBeCloseTo(0.1);
    expect(shedOf(g, evenly(1000))).toHaveLength(100);
    for (let i = 0; i < 4; i++) g.observe(true);
    expect(g.share).toBeCloseTo(0.5);
    expect(shedOf(g, evenly(1000))).toHaveLength(500);
    for (let i = 0; i < 20; i++) g.observe(true);
    expect(g.share).toBe(ShedGovernor.MAX_SHARE);
    // Never everything: some requests are still served, so the server can tell when it recovers.
    expect(shedOf(g, evenly(1000))).toHaveLength(950);
  });

  it('lets go once windows are no longer over: 30% less per window, then 0', () => {
    const g = new ShedGovernor();
    for (let i = 0; i < 20; i++) g.observe(true);
    g.observe(false);
    expect(g.share).toBeCloseTo(0.95 * 0.7);
    // One window over among calm ones adds a tenth back, no more.
    g.observe(true);
    expect(g.share).toBeCloseTo(0.95 * 0.7 + 0.1);
    let windows = 0;
    while (g.share > 0) {
      g.observe(false);
      windows++;
    }
    // About 3 s of 250 ms windows from near the top.
    expect(windows).toBeLessThanOrEqual(13);
    expect(shedOf(g, evenly(1000))).toHaveLength(0);
  });
});

describe('QueueTimeBound', () => {
  /**
   * `n` windows of 250 ms on a fake clock, the server busy all of each (one long request stays in
   * flight throughout), with `perWindow` requests of `ms` each answered in every window.
   */
  let clock = 0;
  const windows = (b: QueueTimeBound, n: number, perWindow: number, ms: number) => {
    b.admit(clock);
    for (let w = 0; w < n; w++) {
      for (let i = 0; i < perWindow; i++) {
        b.admit(clock);
        b.record(ms, clock);
      }
      clock += 250;
      b.endWindow(clock);
    }
  };

  it('while answers are slow, admits what the server answers in the target time while busy', () => {
    const b = new QueueTimeBound(1000);
    // Busy all the time, 150 answers per 250 ms window: 600 per second, so 600 may wait 1 s.
    windows(b, 12, 150, 800);
    expect(b.limit(0)).toBeGreaterThanOrEqual(599);
    expect(b.limit(0)).toBeLessThanOrEqual(600);
    // Half the target time, half as many.
    const half = new QueueTimeBound(500);
    windows(half, 12, 150, 800);
    expect(half.limit(0)).toBeGreaterThanOrEqual(299);
    expect(half.limit(0)).toBeLessThanOrEqual(300);
  });

  it('bounds nothing while answers are fast', () => {
    const b = new QueueTimeBound(1000);
    windows(b, 12, 10, 20);
    expect(b.limit(20)).toBe(Infinity);
    // Up to a quarter of the target is still fast.
    windows(b, 12, 10, 250);
    expect(b.limit(0)).toBe(Infinity);
  });

  it('binds only while the server is saturated: a burst at low load is not a standing queue', () => {
    const b = new QueueTimeBound(300);
    // 50 synchronised clients once a second, answered one after another in 4 ms each: answers
    // take 102 ms on average (over a quarter of 300), but the server is busy 200 ms a second.
    for (let s = 0; s < 10; s++) {
      const start = clock;
      for (let i = 0; i < 50; i++) b.admit(start);
      for (let i = 0; i < 50; i++) b.record(4 * (i + 1), start + 4 * (i + 1));
      for (let w = 1; w <= 4; w++) b.endWindow(start + 250 * w);
      clock = start + 1000;
    }
    expect(b.limit(0)).toBe(Infinity);
    // The same answers with the server busy all the time are a queue: bounded at the capacity
    // of 600/s (150 per window) x 0.3 s.
    windows(b, 12, 150, 102);
    expect(b.limit(0)).toBeGreaterThanOrEqual(179);
    expect(b.limit(0)).toBeLessThanOrEqual(180);
  });

  it('follows a falling capacity within about a second (a dependency slowing down)', () => {
    const b = new QueueTimeBound(1000);
    windows(b, 12, 150, 800);
    windows(b, 4, 25, 2000);
    // 100/s now, busy all the time: the limit is near 100 again, from 600, after four windows.
    expect(b.limit(0)).toBeLessThan(140);
    expect(b.limit(0)).toBeGreaterThanOrEqual(100);
  });

  it('bounds a stalled server by the age of its oldest request, at the floor', () => {
    const b = new QueueTimeBound(1000);
    // Admitted, never answered (a hung dependency): busy, capacity 0; only the age tells.
    b.admit(clock);
    for (let w = 1; w <= 4; w++) b.endWindow(clock + 250 * w);
    expect(b.limit(250)).toBe(Infinity);
    expect(b.limit(251)).toBe(QueueTimeBound.FLOOR);
    // A request dropped unanswered leaves the server idle again: the next window binds nothing.
    b.leave(clock + 1000);
    b.endWindow(clock + 1250);
    expect(b.limit(251)).toBe(Infinity);
  });
});

describe('load shedding on event-loop delay (a real lagging loop)', () => {
  let app: NestFastifyApplication;
  let port: number;
  /** Keeps this process's event loop busy for ms, as a saturated server's loop is. */
  const spin = (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end);
  };
  const turn = () => new Promise((r) => setTimeout(r, 0));

  beforeAll(async () => {
    ({ app, port } = await startApp({
      maxInFlight: 1000,
      maxEventLoopDelayMs: 100,
      maxQueueTimeMs: 0,
      retryAfterSeconds: 4,
    }));
  });
  afterAll(async () => {
    gate.waiting.splice(0).forEach((release) => release());
    await app.close();
  });

  it('sheds a share of requests while the loop lags, keeps probes answering, and lets go after', async () => {
    const shedBefore =
      (await httpRequestsShed.get()).values.find((v) => v.labels.reason === 'event_loop_delay')
        ?.value ?? 0;
    // The loop lags 350 ms at a time, with no idle moment: each 250 ms window reads far above
    // the 100 ms target, so the share climbs towards 95%.
    for (let i = 0; i < 12; i++) {
      spin(350);
      await turn();
    }
    // Requests keep arriving while the lag goes on.
    const answers: Promise<Answer>[] = [];
    let ready: Promise<Answer> | undefined;
    let live: Promise<Answer> | undefined;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 5; j++) answers.push(get(port, '/slow'));
      if (i === 2) {
        ready = get(port, '/health/ready');
        live = get(port, '/health/live');
      }
      spin(350);
      await turn();
    }
    // Served requests wait in the handler until released.
    await until(
      async () => {
        gate.waiting.splice(0).forEach((release) => release());
        const settled = await Promise.all(
          answers.map((a) => Promise.race([a.then(() => true), turn().then(() => false)])),
        );
        return settled.every(Boolean);
      },
      'every request answered',
      20_000,
    );
    const statuses = await Promise.all(answers.map(async (a) => (await a).status));
    const shed = (await Promise.all(answers)).filter((a) => a.status === 503);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(shed.length).toBeGreaterThan(0);
    for (const a of shed) {
      expect(a.headers['retry-after']).toBe('4');
      expect(JSON.parse(a.body)).toMatchObject({ status: 503, code: 'OVERLOADED' });
    }
    const shedAfter =
      (await httpRequestsShed.get()).values.find((v) => v.labels.reason === 'event_loop_delay')
        ?.value ?? 0;
    expect(shedAfter - shedBefore).toBe(shed.length);
    // Probes are never shed; readiness said "over capacity" while it lasted.
    expect((await live!).status).toBe(200);
    const r = await ready!;
    expect(r.status).toBe(503);
    expect(r.body).toContain('over capacity');

    // The lag is over: the share decays to 0 and readiness comes back.
    await until(
      async () => (await get(port, '/health/ready')).status === 200,
      'readiness back',
      30_000,
    );
  });
});

describe('load shedding on queue time (a slow dependency)', () => {
  let app: NestFastifyApplication;
  let port: number;
  const shedCount = async () =>
    (await httpRequestsShed.get()).values.find((v) => v.labels.reason === 'queue_time')?.value ?? 0;

  beforeAll(async () => {
    // No count bound and no loop bound in reach: only the wait in the server can shed here.
    ({ app, port } = await startApp({
      maxInFlight: 100_000,
      maxEventLoopDelayMs: 0,
      maxQueueTimeMs: 100,
      retryAfterSeconds: 5,
    }));
  });
  afterAll(async () => {
    gate.waiting.splice(0).forEach((release) => release());
    await app.close();
  });

  it('sheds new requests at once while the ones in flight wait too long, without turning readiness down', async () => {
    const before = await shedCount();
    // FLOOR requests (what the bound admits whatever the timing) wait on a "dependency" that
    // does not answer.
    const waiting = Array.from({ length: QueueTimeBound.FLOOR }, () => get(port, '/slow'));
    await until(() => gate.waiting.length === QueueTimeBound.FLOOR, 'the requests in the handler');
    // Once the server has been busy a whole window and the oldest has waited more than a quarter
    // of the 100 ms target, with nothing answered (a capacity of 0), it admits only the floor:
    // new requests are shed at once rather than queued behind them.
    // Two 250 ms windows at least, so one ends with the server busy all of it.
    const admittedAt = Date.now();
    await until(() => Date.now() - admittedAt > 1000, '1 s of waiting');
    const late = await Promise.all(Array.from({ length: 20 }, () => get(port, '/slow')));
    expect(late.map((a) => a.status)).toEqual(Array(20).fill(503));
    for (const a of late) {
      expect(a.headers['retry-after']).toBe('5');
      expect(JSON.parse(a.body)).toMatchObject({ status: 503, code: 'OVERLOADED' });
    }
    expect((await shedCount()) - before).toBe(20);
    expect(gate.waiting).toHaveLength(QueueTimeBound.FLOOR);
    // Readiness stays up: a slow dependency is every pod's, and taking them all out of rotation
    // would answer nothing at all.
    expect((await get(port, '/health/ready')).status).toBe(200);

    // The dependency answers: everything admitted is served, and new requests are admitted again.
    gate.waiting.splice(0).forEach((release) => release());
    expect((await Promise.all(waiting)).map((a) => a.status)).toEqual(
      Array(QueueTimeBound.FLOOR).fill(200),
    );
    const next = get(port, '/slow');
    await until(() => gate.waiting.length === 1, 'the next request in the handler');
    gate.waiting.splice(0).forEach((release) => release());
    expect((await next).status).toBe(200);
  });
});
