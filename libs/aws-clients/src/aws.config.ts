// Config classes rely on design-time type metadata for env conversion: load it before they are defined.
import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * AWS settings shared by every app. Endpoints are not here: the SDK reads AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_SNS itself, which is how the local stack points the
 * apps at dynalite and local-aws-sqs. Credentials come from the SDK's default chain (env, Pod
 * Identity, IRSA, instance role).
 */
export class AwsConfig {
  @IsString()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'AWS_REGION must look like eu-west-1' })
  AWS_REGION: string = 'us-east-1';

  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,255}$/, {
    message: 'JOBS_TABLE_NAME must be 3-255 letters, digits, "_", "." or "-"',
  })
  JOBS_TABLE_NAME: string = 'pricewatch-jobs';

  /** Required by the apps that send or receive checks; absent, their readiness reports it. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/\S+$/, { message: 'CHECKS_QUEUE_URL must be an SQS queue URL' })
  CHECKS_QUEUE_URL?: string;

  @IsOptional()
  @Matches(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
    message: 'ALERTS_TOPIC_ARN must be an SNS topic ARN',
  })
  ALERTS_TOPIC_ARN?: string;

  @IsInt()
  @Min(1)
  @Max(64)
  DUE_SHARDS: number = 8;

  @IsInt()
  @Min(100)
  @Max(60000)
  AWS_REQUEST_TIMEOUT_MS: number = 5000;
}
