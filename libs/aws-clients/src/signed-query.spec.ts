import { marshall } from '@aws-sdk/util-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { isTransientDependencyError } from '@app/platform';
import { hungServer } from '../../../test/support/hung-server';
import { AwsConfig } from './aws.config';
import { createAwsClients } from './aws-clients.module';
import type { SignedQueryInput } from './signed-query';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

interface Received {
  headers: http.IncomingHttpHeaders;
  method: string;
  url: string;
  body: string;
}

/** A stand-in for DynamoDB that records every request and answers with `answer`. */
async function fakeDynamo(answer: (req: Received) => { status: number; body: unknown }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = { headers: req.headers, method: req.method!, url: req.url!, body };
      received.push(r);
      const { status, body: out } = answer(r);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

class NodeSha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.h.update(data);
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/**
 * Whether the request's SigV4 signature holds for the request as it arrived, checked the way
 * DynamoDB does: the headers it names as signed, its date, its body, signed again with the secret.
 */
async function signatureHolds(r: Received, region: string): Promise<boolean> {
  const auth = String(r.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders) headers[h] = String(r.headers[h]);
  const amzDate = String(r.headers['x-amz-date']);
  const date = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region,
    service: 'dynamodb',
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const [host, port] = String(r.headers.host).split(':');
  const bodyHash = createHash('sha256').update(r.body).digest('hex');
  if (headers['x-amz-content-sha256'] && headers['x-amz-content-sha256'] !== bodyHash) return false;
  const again = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: host,
      port: Number(port),
      path: r.url,
      query: {},
      headers,
      body: r.body,
    },
    { signingDate: date },
  );
  return again.headers.authorization === auth;
}

describe('SignedQuery', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function clients(endpoint: string, timeoutMs = 2000) {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    return createAwsClients(
      Object.assign(new AwsConfig(), {
        AWS_REGION: 'eu-west-1',
        AWS_REQUEST_TIMEOUT_MS: timeoutMs,
      }),
    );
  }

  const input: SignedQueryInput = {
    TableName: 'pricewatch-jobs',
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: '#status = :status',
    ProjectionExpression: '#v0, #v1, #status',
    ExpressionAttributeNames: { '#v0': 'jobId', '#v1': 'title', '#status': 'status' },
    ExpressionAttributeValues: { ':pk': 'USER#u', ':prefix': 'JOB#', ':status': 'active' },
    ScanIndexForward: false,
    Limit: 2,
    ExclusiveStartKey: { pk: 'USER#u', sk: 'JOB#9' },
  };
  const item = {
    jobId: 'j1',
    title: 'Kettle «inox» — 1,7 l',
    consecutiveFailures: 3,
    nextCheckAt: 1796034016293,
    priceCandidates: [
      { price: '19.99', currency: 'EUR', source: 'jsonld' },
      { price: '24.50', currency: null, source: 'heuristic' },
    ],
  };

  it('sends one Query signed for the request as it arrives, and returns its items as plain values', async () => {
    const ddb = await fakeDynamo(() => ({
      status: 200,
      body: {
        Items: [marshall(item)],
        Count: 1,
        ScannedCount: 1,
        LastEvaluatedKey: marshall({ pk: 'USER#u', sk: 'JOB#1' }),
      },
    }));
    const { query, dynamo } = clients(ddb.url);
    try {
      const page = await query.send(input);
      expect(page).toEqual({ Items: [item], LastEvaluatedKey: { pk: 'USER#u', sk: 'JOB#1' } });
      expect(ddb.received).toHaveLength(1);
      const [r] = ddb.received;
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/');
      expect(r.headers['x-amz-target']).toBe('DynamoDB_20120810.Query');
      expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(JSON.parse(r.body)).toEqual({
        ...input,
        ExpressionAttributeValues: {
          ':pk': { S: 'USER#u' },
          ':prefix': { S: 'JOB#' },
          ':status': { S: 'active' },
        },
        ExclusiveStartKey: { pk: { S: 'USER#u' }, sk: { S: 'JOB#9' } },
      });
      expect(String(r.headers.authorization)).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-target/,
      );
      await expect(signatureHolds(r, 'eu-west-1')).resolves.toBe(true);
      // A body altered on the way no longer matches its signature (the check can fail).
      await expect(
        signatureHolds({ ...r, body: r.body.replace('USER#u', 'USER#v') }, 'eu-west-1'),
      ).resolves.toBe(false);
    } finally {
      query.destroy();
      dynamo.destroy();
      ddb.close();
    }
  });

  it('sends the Query through the SDK when DynamoDB answers an error, with its retries and errors', async () => {
    // The signed request (no SDK invocation id) is throttled; the SDK's attempts are answered.
    const ddb = await fakeDynamo((r) =>
      r.headers['amz-sdk-invocation-id']
        ? { status: 200, body: { Items: [marshall(item)], Count: 1, ScannedCount: 1 } }
        : {
            status: 400,
            body: {
              __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
              message: 'Rate exceeded',
            },
          },
    );
    const { query, dynamo } = clients(ddb.url);
    try {
      const page = await query.send(input);
      expect(page).toEqual({ Items: [item], LastEvaluatedKey: undefined });
      expect(ddb.received.map((r) => Boolean(r.headers['amz-sdk-invocation-id']))).toEqual([
        false,
        true,
      ]);
      expect(JSON.parse(ddb.received[1].body)).toEqual(JSON.parse(ddb.received[0].body));
      // The SDK signs with the clients' NodeSha256 too: its signature holds as well.
      await expect(signatureHolds(ddb.received[1], 'eu-west-1')).resolves.toBe(true);
    } finally {
      query.destroy();
      dynamo.destroy();
      ddb.close();
    }
  });

  it('ends at its deadline when DynamoDB hangs, with an error the API maps to 503', async () => {
    const hung = await hungServer();
    const { query, dynamo } = clients(hung.url, 1000);
    try {
      const started = Date.now();
      const err = await query.send(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect((err as Error)?.name).toBe('TimeoutError');
      expect(isTransientDependencyError(err)).toBe(true);
      // The call's deadline, not three attempts of it, nor a fallback after it.
      expect(took).toBeLessThan(2500);
      expect(hung.accepted()).toBe(1);
    } finally {
      query.destroy();
      dynamo.destroy();
      hung.close();
    }
  });

  it('ends at its deadline when the credentials never resolve', async () => {
    const ddb = await fakeDynamo(() => ({ status: 200, body: { Items: [] } }));
    const { query, dynamo } = clients(ddb.url, 500);
    // As a credential endpoint that accepts and never answers would leave the provider.
    (dynamo.config as { credentials: unknown }).credentials = () => new Promise(() => undefined);
    try {
      const started = Date.now();
      const err = await query.send(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as Error)?.name).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(1500);
      expect(ddb.received).toHaveLength(0);
    } finally {
      query.destroy();
      dynamo.destroy();
      ddb.close();
    }
  });

  it('leaves a refused connection to the SDK, which retries it before failing', async () => {
    const { query, dynamo } = clients(await closedPort(), 2000);
    try {
      const err = await query.send(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      // The SDK's error for it (under Jest's realms it wraps the connection error, so its code is
      // not on it here; the fault suite sees the gateway answer 503 for a refused DynamoDB).
      expect(String(err)).toMatch(/ECONNREFUSED/);
      expect((err as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
    } finally {
      query.destroy();
      dynamo.destroy();
    }
  });
});
