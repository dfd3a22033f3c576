import { QueryCommand as LowLevelQueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import { Logger } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';

/** The part of a Query the signed path sends: the expression API only. */
export type SignedQueryInput = Pick<
  QueryCommandInput,
  | 'TableName'
  | 'IndexName'
  | 'KeyConditionExpression'
  | 'FilterExpression'
  | 'ProjectionExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
  | 'ScanIndexForward'
  | 'Limit'
  | 'ExclusiveStartKey'
  | 'ConsistentRead'
>;

/** A page of a Query, items as plain JavaScript values (as the Document client returns them). */
export interface QueryPage {
  Items: Record<string, NativeAttributeValue>[];
  LastEvaluatedKey?: Record<string, NativeAttributeValue>;
}

interface Target {
  url: URL;
  agent: http.Agent;
  request: typeof http.request;
  signer: SignatureV4;
}

/** What a call that ran out of its deadline rejects with (the API maps it to 503). */
function deadlineError(ms: number): Error {
  const err = new Error(`DynamoDB Query did not answer within ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}

const WARN_EVERY_MS = 60_000;

/**
 * DynamoDB's Query as one signed HTTP request, for the gateway's hot list pages: the SDK's
 * per-call machinery (middleware stack, endpoint rules, schema-driven serde) cost about as much
 * CPU as the rest of the request together (docs/PERFORMANCE.md, docs/DECISIONS.md). What is kept
 * from the SDK, resolved from the Document client's own config so both paths agree: the endpoint
 * (its rules, AWS_ENDPOINT_URL_DYNAMODB), the credentials (its default chain, refreshed as they
 * expire), SigV4 (its signer), and the marshalling (util-dynamodb, with the Document client's
 * options).
 *
 * Only a clean 200 is handled here. Anything else (an error status such as throttling, a reset
 * connection, a body that does not parse, a failure to sign) sends the same Query through the
 * Document client within what is left of the deadline, so retries, backoff and the SDK's error
 * classes are exactly those of every other call. The whole call, fallback included, ends at
 * `timeoutMs` (AWS_REQUEST_TIMEOUT_MS): a hung DynamoDB fails the request with a TimeoutError, as
 * withCallDeadline does for the SDK's calls.
 */
export class SignedQuery {
  private readonly logger = new Logger(SignedQuery.name);
  private readonly targets = new Map<string, Promise<Target>>();
  private readonly agents: http.Agent[] = [];
  private lastWarned = 0;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly timeoutMs: number,
  ) {}

  async send(input: SignedQueryInput): Promise<QueryPage> {
    const deadline = Date.now() + this.timeoutMs;
    let cause: unknown;
    // The request's own timer ends a hung connection; this one also ends a call stuck before it
    // (endpoint or credentials that never resolve).
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(deadlineError(this.timeoutMs)), this.timeoutMs);
    });
    try {
      return await Promise.race([this.direct(input, deadline), expired]);
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') throw err;
      cause = err;
    } finally {
      clearTimeout(timer);
    }
    this.warn(cause);
    const left = deadline - Date.now();
    if (left <= 0) throw deadlineError(this.timeoutMs);
    const out = await this.client.send(new QueryCommand(input), {
      abortSignal: AbortSignal.timeout(left),
    });
    return { Items: out.Items ?? [], LastEvaluatedKey: out.LastEvaluatedKey };
  }

  /** Closes the kept-alive connections. */
  destroy(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private async direct(input: SignedQueryInput, deadline: number): Promise<QueryPage> {
    const table = input.TableName ?? '';
    let pending = this.targets.get(table);
    if (!pending) {
      pending = this.resolveTarget(input);
      this.targets.set(table, pending);
      pending.catch(() => this.targets.delete(table));
    }
    const target = await pending;
    const body = JSON.stringify({
      ...input,
      ExpressionAttributeValues: input.ExpressionAttributeValues
        ? marshall(input.ExpressionAttributeValues, { removeUndefinedValues: true })
        : undefined,
      ExclusiveStartKey: input.ExclusiveStartKey
        ? marshall(input.ExclusiveStartKey, { removeUndefinedValues: true })
        : undefined,
    });
    const { url } = target;
    const signed = await target.signer.sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-target': 'DynamoDB_20120810.Query',
        },
        body,
      },
      { signingDate: this.now() },
    );
    const text = await this.post(target, signed.headers, body, deadline);
    const out = JSON.parse(text) as {
      Items?: Record<string, never>[];
      LastEvaluatedKey?: Record<string, never>;
    };
    return {
      Items: (out.Items ?? []).map((item) => unmarshall(item)),
      LastEvaluatedKey: out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined,
    };
  }

  /** The response body of a 200; rejects on any other status, a connection error or the deadline. */
  private post(
    target: Target,
    headers: Record<string, string>,
    body: string,
    deadline: number,
  ): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const { url } = target;
      const req = target.request({
        agent: target.agent,
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: url.pathname,
        headers,
      });
      const timer = setTimeout(
        () => req.destroy(deadlineError(this.timeoutMs)),
        Math.max(0, deadline - Date.now()),
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode === 200) resolve(text);
          else reject(new Error(`DynamoDB answered ${res.statusCode} ${errorType(text)}`));
        });
      });
      req.end(body);
    });
  }

  /** The clock the SDK signs with: it corrects its offset when DynamoDB reports a skew. */
  private now(): Date {
    const offset = (this.client.config as { systemClockOffset?: number }).systemClockOffset ?? 0;
    return new Date(Date.now() + offset);
  }

  /** Where the SDK would send this Query, and how it would sign it. */
  private async resolveTarget(input: SignedQueryInput): Promise<Target> {
    const config = this.client.config;
    // The low-level command carries the endpoint parameters (the Document client's has none); a
    // copy of the config, as the SDK's endpoint middleware passes: resolution writes to it.
    const endpoint = await getEndpointFromInstructions(
      input as Record<string, unknown>,
      LowLevelQueryCommand,
      { ...config } as Parameters<typeof getEndpointFromInstructions>[2],
    );
    const url = new URL(endpoint.url.href);
    const scheme = (
      endpoint.properties?.authSchemes as { signingRegion?: string; signingName?: string }[]
    )?.[0];
    const region = scheme?.signingRegion ?? (await config.region());
    const isHttps = url.protocol === 'https:';
    // As the SDK's NodeHttpHandler: kept-alive connections, at most 50 per host.
    const agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 50 })
      : new http.Agent({ keepAlive: true, maxSockets: 50 });
    this.agents.push(agent);
    return {
      url,
      agent,
      request: isHttps ? https.request : http.request,
      signer: new SignatureV4({
        credentials: config.credentials,
        region,
        service: scheme?.signingName ?? 'dynamodb',
        sha256: config.sha256,
        uriEscapePath: true,
      }),
    };
  }

  /** One line a minute at most: a fallback that happens on every call is a defect to see. */
  private warn(cause: unknown): void {
    const now = Date.now();
    if (now - this.lastWarned < WARN_EVERY_MS) return;
    this.lastWarned = now;
    this.logger.warn(
      { reason: String((cause as Error)?.message ?? cause).slice(0, 200) },
      'signed DynamoDB Query failed; sent through the SDK instead',
    );
  }
}

/** DynamoDB's error type from an error body ("ThrottlingException"), never its message. */
function errorType(text: string): string {
  const match = /"__type"\s*:\s*"(?:[^"#]*#)?([A-Za-z]{1,80})"/.exec(text);
  return match ? match[1] : '';
}
