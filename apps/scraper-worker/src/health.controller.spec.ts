import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { metricsRegistry, RUNTIME_CONFIG, ShutdownState } from '@app/platform';
import { BROWSER_POOL } from './checks/tokens';
import { BrowserPoolStatus } from './fetching';
import { HealthController } from './health.controller';

describe('worker HealthController: browser pool saturation', () => {
  const status: BrowserPoolStatus = {
    available: true,
    inUse: 2,
    maxPages: 2,
    launches: 1,
    pagesServed: 10,
    waiting: 3,
    egress: { connections: 0, refused: 0 },
  };

  async function controllerWith(pool: { status(): BrowserPoolStatus } | null) {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        ShutdownState,
        { provide: RUNTIME_CONFIG, useValue: { shutdownDrainMs: 0 } },
        // The AWS checks are not under test here: both report up.
        {
          provide: AwsHealthIndicators,
          useValue: {
            dynamodb: async () => ({ dynamodb: { status: 'up' } }),
            sqsQueue: async () => ({ sqs: { status: 'up' } }),
          },
        },
        { provide: BROWSER_POOL, useValue: pool },
      ],
    }).compile();
    await moduleRef.init();
    return { controller: moduleRef.get(HealthController), close: () => moduleRef.close() };
  }

  async function pages(): Promise<Record<string, number>> {
    const metric = await metricsRegistry.getSingleMetric('browser_pool_pages')!.get();
    return Object.fromEntries(metric.values.map((v) => [String(v.labels.state), v.value]));
  }

  it('exports pages in use, the maximum and the renders waiting, at every dependency check', async () => {
    const { controller, close } = await controllerWith({ status: () => status });
    try {
      const codes: number[] = [];
      const report = await controller.dependencyHealth({ code: (c: number) => codes.push(c) });
      expect(codes).toEqual([]);
      expect(report.info).toMatchObject({ browser: { status: 'up', mode: 'http+browser' } });
      expect(await pages()).toEqual({ in_use: 2, max: 2, waiting: 3 });
    } finally {
      await close();
    }
  });

  it('reports no capacity (max 0) when the worker runs without a browser', async () => {
    const { controller, close } = await controllerWith(null);
    try {
      await controller.dependencyHealth({ code: () => undefined });
      expect(await pages()).toEqual({ in_use: 0, max: 0, waiting: 0 });
    } finally {
      await close();
    }
  });
});
