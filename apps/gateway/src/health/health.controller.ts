import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { ShutdownState } from '@app/platform';
import { HealthEndpoints } from '@app/platform/http';

@ApiExcludeController()
@Controller('health')
export class HealthController extends HealthEndpoints {
  constructor(
    health: HealthCheckService,
    indicators: HealthIndicatorService,
    shutdown: ShutdownState,
    private readonly db: TypeOrmHealthIndicator,
    private readonly aws: AwsHealthIndicators,
  ) {
    super(health, indicators, shutdown);
  }

  protected dependencies() {
    return [
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      () => this.aws.dynamodb(),
      () => this.aws.sqsQueue(),
    ];
  }
}
