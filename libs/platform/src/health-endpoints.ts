import { Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { loadState } from './load-shedding';
import { ShutdownState } from './shutdown';

/**
 * /health/live (the process alone) and /health/ready (every dependency, down as soon as shutdown
 * begins, and down while the server sheds load), the same in every app; each app's controller names its dependencies.
 */
export abstract class HealthEndpoints {
  constructor(
    protected readonly health: HealthCheckService,
    protected readonly indicators: HealthIndicatorService,
    protected readonly shutdown: ShutdownState,
  ) {}

  protected abstract dependencies(): HealthIndicatorFunction[];

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const check = this.indicators.check('lifecycle');
        return this.shutdown.isShuttingDown ? check.down({ reason: 'shutting down' }) : check.up();
      },
      () => {
        // Over capacity (load shedding active): steer the load balancer to other pods meanwhile.
        const check = this.indicators.check('load');
        return loadState.overloaded()
          ? check.down({ reason: 'over capacity', inFlight: loadState.inFlight })
          : check.up({ inFlight: loadState.inFlight });
      },
      ...this.dependencies(),
    ]);
  }
}
