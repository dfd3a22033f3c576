import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AwsConfig } from './aws.config';
import { NodeSha256 } from './node-sha256';
import { SignedQuery } from './signed-query';

export const AWS_CONFIG = Symbol('AWS_CONFIG');
export const DYNAMODB = Symbol('DYNAMODB_DOCUMENT_CLIENT');
export const SQS = Symbol('SQS_CLIENT');
export const SNS = Symbol('SNS_CLIENT');
/** The Query of a user's collection page, sent as one signed request (signed-query.ts). */
export const DYNAMODB_QUERY = Symbol('DYNAMODB_SIGNED_QUERY');

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  sns: SNSClient;
  query: SignedQuery;
}

interface Sendable {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

/**
 * Every call through `client` ends at its deadline: AWS_REQUEST_TIMEOUT_MS for the whole call,
 * retries included (a long poll gets its WaitTimeSeconds on top). The SDK's own requestTimeout
 * only logs a warning unless throwOnRequestTimeout is set, and bounds one attempt, not the call.
 */
export function withCallDeadline<C extends Sendable>(client: C, timeoutMs: number): C {
  const send = client.send.bind(client);
  client.send = ((command: { input?: { WaitTimeSeconds?: number } }, options?: unknown) => {
    if (typeof options === 'function') return send(command, options);
    const given = (options ?? {}) as { abortSignal?: AbortSignal; requestTimeout?: number };
    const budget = timeoutMs + Number(command?.input?.WaitTimeSeconds ?? 0) * 1000;
    const deadline = AbortSignal.timeout(budget);
    return send(command, {
      ...given,
      requestTimeout: given.requestTimeout ?? budget,
      abortSignal: given.abortSignal ? AbortSignal.any([given.abortSignal, deadline]) : deadline,
    });
  }) as C['send'];
  return client;
}

/**
 * Takes the SDK's logger middleware out of a client's stack. No logger is ever given to the
 * clients, yet the middleware builds its log record on every call: it walks the whole output
 * through the operation's schema to mask sensitive members (a few % of the gateway's CPU on a
 * 20-job list, docs/PERFORMANCE.md). Errors still reach the caller; nothing was being logged.
 */
export function withoutSdkLogging<C extends { middlewareStack: { remove(name: string): boolean } }>(
  client: C,
): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** Builds the SDK clients from validated config; deadlines keep a dead dependency from hanging a request. */
export function createAwsClients(config: AwsConfig): AwsClients {
  const timeout = config.AWS_REQUEST_TIMEOUT_MS;
  const requestHandler = {
    connectionTimeout: Math.min(timeout, 3000),
    requestTimeout: timeout,
    throwOnRequestTimeout: true,
  };
  const common = {
    region: config.AWS_REGION,
    maxAttempts: 3,
    requestHandler,
    // SigV4's hashes with the HMAC keys Node verifies fastest (node-sha256.ts).
    sha256: NodeSha256,
  };
  const dynamo = DynamoDBDocumentClient.from(withoutSdkLogging(new DynamoDBClient(common)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const bounded = withCallDeadline(dynamo, timeout);
  return {
    dynamo: bounded,
    query: new SignedQuery(bounded, timeout),
    sqs: withCallDeadline(withoutSdkLogging(new SQSClient(common)), timeout),
    sns: withCallDeadline(withoutSdkLogging(new SNSClient(common)), timeout),
  };
}

class AwsClientsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DYNAMODB) private readonly dynamo: DynamoDBDocumentClient,
    @Inject(SQS) private readonly sqs: SQSClient,
    @Inject(SNS) private readonly sns: SNSClient,
    @Inject(DYNAMODB_QUERY) private readonly query: SignedQuery,
  ) {}
  onApplicationShutdown(): void {
    this.query.destroy();
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
        { provide: DYNAMODB_QUERY, useValue: clients.query },
        AwsClientsLifecycle,
      ],
      exports: [AWS_CONFIG, DYNAMODB, DYNAMODB_QUERY, SQS, SNS],
    };
  }
}
