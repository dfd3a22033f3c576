import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { ShutdownState } from '@app/platform';

/** Liveness is the process alone; readiness adds every dependency and fails once shutdown begins. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly aws: AwsHealthIndicators,
    private readonly shutdown: ShutdownState,
  ) {}

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
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      () => this.aws.dynamodb(),
      () => this.aws.sqsQueue(),
    ]);
  }
}
