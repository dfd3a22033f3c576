import { Controller, ServiceUnavailableException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { HealthEndpoints } from './health-endpoints';
import { metricsRegistry } from './metrics';
import { RUNTIME_CONFIG } from './config';
import { ShutdownState } from './shutdown';

/** One switchable dependency, "queue", standing in for PostgreSQL/DynamoDB/SQS. */
const queue = { up: true };

@Controller('health')
class ProbeHealthController extends HealthEndpoints {
  constructor(
    health: HealthCheckService,
    indicators: HealthIndicatorService,
    shutdown: ShutdownState,
  ) {
    super(health, indicators, shutdown);
  }

  protected dependencies() {
    return [
      () => {
        const check = this.indicators.check('queue');
        return queue.up ? check.up() : check.down({ reason: 'TimeoutError' });
      },
    ];
  }
}

async function dependencyUpSample(): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric('dependency_up')!.get();
  return metric.values.find((v) => v.labels.dependency === 'queue')?.value;
}

describe('HealthEndpoints: readiness is "can serve", dependencies are reported', () => {
  let controller: ProbeHealthController;
  let shutdown: ShutdownState;
  let close: () => Promise<void>;

  beforeEach(async () => {
    queue.up = true;
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ProbeHealthController],
      // No drain: shutdown marks the app unready at once.
      providers: [ShutdownState, { provide: RUNTIME_CONFIG, useValue: { shutdownDrainMs: 0 } }],
    }).compile();
    await moduleRef.init();
    controller = moduleRef.get(ProbeHealthController);
    shutdown = moduleRef.get(ShutdownState);
    close = () => moduleRef.close();
  });

  afterEach(async () => {
    await close();
  });

  it('stays ready while a dependency is down, and says so on /health/dependencies', async () => {
    queue.up = false;
    await expect(controller.ready()).resolves.toMatchObject({ status: 'ok' });
    const codes: number[] = [];
    const reply = { code: (status: number) => codes.push(status) };
    await expect(controller.dependencyHealth(reply)).resolves.toMatchObject({
      status: 'error',
      error: { queue: { status: 'down', reason: 'TimeoutError' } },
    });
    expect(codes).toEqual([503]);
    queue.up = true;
    await expect(controller.dependencyHealth(reply)).resolves.toMatchObject({
      status: 'ok',
      info: { queue: { status: 'up' } },
    });
    expect(codes).toEqual([503]);
  });

  it('turns unready as soon as shutdown begins, whatever the dependencies say', async () => {
    await shutdown.beforeApplicationShutdown('SIGTERM');
    await expect(controller.ready()).rejects.toBeInstanceOf(ServiceUnavailableException);
  });

  it('exports each dependency as dependency_up, checked at every scrape', async () => {
    queue.up = false;
    await metricsRegistry.metrics();
    expect(await dependencyUpSample()).toBe(0);
    queue.up = true;
    expect(await metricsRegistry.metrics()).toMatch(/^dependency_up\{dependency="queue"\} 1$/m);
  });

  it('stops probing once the app is closed', async () => {
    await metricsRegistry.metrics();
    expect(await dependencyUpSample()).toBe(1);
    await close();
    close = async () => undefined;
    queue.up = false;
    await metricsRegistry.metrics();
    // The last value stays; a closed app's checks no longer run.
    expect(await dependencyUpSample()).toBe(1);
  });
});
