import { Controller, Inject } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Gauge } from 'prom-client';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { metricsRegistry, ShutdownState } from '@app/platform';
import { HealthEndpoints } from '@app/platform/http';
import { BrowserPool } from './fetching';
import { BROWSER_POOL } from './checks/tokens';

/** Browser pool saturation, refreshed with the dependency checks (on every /metrics scrape). */
const browserPages = new Gauge({
  name: 'browser_pool_pages',
  help: 'Chromium pages of the browser pool: in use, the maximum, and renders waiting for one',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

@Controller('health')
export class HealthController extends HealthEndpoints {
  constructor(
    health: HealthCheckService,
    indicators: HealthIndicatorService,
    shutdown: ShutdownState,
    private readonly aws: AwsHealthIndicators,
    @Inject(BROWSER_POOL) private readonly browser: BrowserPool | null,
  ) {
    super(health, indicators, shutdown);
  }

  /** The browser is reported, not required: without one the worker runs HTTP-only. */
  protected dependencies() {
    return [
      () => this.aws.dynamodb(),
      () => this.aws.sqsQueue(),
      () => {
        const status = this.browser?.status();
        const { available, reason, inUse, maxPages, launches, pagesServed, waiting } = status ?? {
          available: false,
          reason: 'disabled by BROWSER_ENABLED=false',
        };
        browserPages.set({ state: 'in_use' }, inUse ?? 0);
        browserPages.set({ state: 'max' }, available ? (maxPages ?? 0) : 0);
        browserPages.set({ state: 'waiting' }, waiting ?? 0);
        return this.indicators.check('browser').up({
          mode: available ? 'http+browser' : 'http-only',
          reason,
          inUse,
          maxPages,
          launches,
          pagesServed,
        });
      },
    ];
  }
}
