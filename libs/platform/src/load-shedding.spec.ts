import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createHttpApp } from './bootstrap';
import { RUNTIME_CONFIG, RuntimeConfig } from './config';
import { HealthEndpoints } from './health-endpoints';
import { loadState } from './load-shedding';
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
    app = await createHttpApp(TestModule, {
      serviceName: 'test',
      loadShedding: { maxInFlight: 2, maxEventLoopDelayMs: 0, retryAfterSeconds: 3 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.getHttpServer().address() as AddressInfo).port;
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
