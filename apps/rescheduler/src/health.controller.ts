import { Controller } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import { ShutdownState } from '@app/platform';
import { HealthEndpoints } from '@app/platform/http';

@Controller('health')
export class HealthController extends HealthEndpoints {
  constructor(
    health: HealthCheckService,
    indicators: HealthIndicatorService,
    shutdown: ShutdownState,
    private readonly aws: AwsHealthIndicators,
  ) {
    super(health, indicators, shutdown);
  }

  protected dependencies() {
    return [() => this.aws.dynamodb(), () => this.aws.sqsQueue()];
  }
}
