import { Controller, Inject } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { ShutdownState } from '@app/platform';
import { HealthEndpoints } from '@app/platform/http';
import { BrowserPool } from './fetching';
import { BROWSER_POOL } from './checks/tokens';

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
        const { available, reason, inUse, maxPages, launches, pagesServed } = status ?? {
          available: false,
          reason: 'disabled by BROWSER_ENABLED=false',
        };
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
