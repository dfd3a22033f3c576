/** Readiness indicators, imported as `@app/aws-clients/health` so that Terminus stays out of the Lambda bundle. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AWS_CONFIG, DYNAMODB, SQS } from './aws-clients.module';
import { AwsConfig } from './aws.config';

/** Readiness checks of the AWS dependencies; they report a reason, never an SDK message. */
@Injectable()
export class AwsHealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(AWS_CONFIG) private readonly config: AwsConfig,
    @Inject(DYNAMODB) private readonly dynamo: DynamoDBDocumentClient,
    @Inject(SQS) private readonly sqs: SQSClient,
  ) {}

  async dynamodb() {
    const check = this.health.check('dynamodb');
    try {
      const out = await this.dynamo.send(
        new DescribeTableCommand({ TableName: this.config.JOBS_TABLE_NAME }),
        {
          abortSignal: AbortSignal.timeout(2000),
        },
      );
      const status = out.Table?.TableStatus;
      return status === 'ACTIVE' || status === 'UPDATING'
        ? check.up()
        : check.down({ reason: `table ${status}` });
    } catch (err) {
      return check.down({ reason: errorName(err) });
    }
  }

  async sqsQueue() {
    const check = this.health.check('sqs');
    if (!this.config.CHECKS_QUEUE_URL) return check.down({ reason: 'CHECKS_QUEUE_URL not set' });
    try {
      await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.config.CHECKS_QUEUE_URL,
          AttributeNames: ['QueueArn'],
        }),
        { abortSignal: AbortSignal.timeout(2000) },
      );
      return check.up();
    } catch (err) {
      return check.down({ reason: errorName(err) });
    }
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unreachable';
}
