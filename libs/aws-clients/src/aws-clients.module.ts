import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AwsConfig } from './aws.config';

export const AWS_CONFIG = Symbol('AWS_CONFIG');
export const DYNAMODB = Symbol('DYNAMODB_DOCUMENT_CLIENT');
export const SQS = Symbol('SQS_CLIENT');
export const SNS = Symbol('SNS_CLIENT');

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  sns: SNSClient;
}

/** Builds the SDK clients from validated config; deadlines keep a dead dependency from hanging a request. */
export function createAwsClients(config: AwsConfig): AwsClients {
  const requestHandler = {
    connectionTimeout: Math.min(config.AWS_REQUEST_TIMEOUT_MS, 3000),
    requestTimeout: config.AWS_REQUEST_TIMEOUT_MS,
  };
  const common = { region: config.AWS_REGION, maxAttempts: 3, requestHandler };
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(common), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { dynamo, sqs: new SQSClient(common), sns: new SNSClient(common) };
}

class AwsClientsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DYNAMODB) private readonly dynamo: DynamoDBDocumentClient,
    @Inject(SQS) private readonly sqs: SQSClient,
    @Inject(SNS) private readonly sns: SNSClient,
  ) {}
  onApplicationShutdown(): void {
    this.dynamo.destroy();
    this.sqs.destroy();
    this.sns.destroy();
  }
}

@Global()
@Module({})
export class AwsClientsModule {
  /** `config` is the app's validated `aws` section. */
  static forRoot(config: AwsConfig): DynamicModule {
    const clients = createAwsClients(config);
    return {
      global: true,
      module: AwsClientsModule,
      providers: [
        { provide: AWS_CONFIG, useValue: config },
        { provide: DYNAMODB, useValue: clients.dynamo },
        { provide: SQS, useValue: clients.sqs },
        { provide: SNS, useValue: clients.sns },
        AwsClientsLifecycle,
      ],
      exports: [AWS_CONFIG, DYNAMODB, SQS, SNS],
    };
  }
}
