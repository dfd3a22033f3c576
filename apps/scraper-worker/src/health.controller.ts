import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { ShutdownState } from '@app/platform';
import { BrowserPool } from './fetching';
import { BROWSER_POOL } from './checks/tokens';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly aws: AwsHealthIndicators,
    private readonly shutdown: ShutdownState,
    @Inject(BROWSER_POOL) private readonly browser: BrowserPool | null,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** The browser is reported, not required: without one the worker runs HTTP-only. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const check = this.indicators.check('lifecycle');
        return this.shutdown.isShuttingDown ? check.down({ reason: 'shutting down' }) : check.up();
      },
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
    ]);
  }
}
