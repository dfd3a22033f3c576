/**
 * CPU per DynamoDB Query of a 20-job list page, the gateway's hot read, by the ways it can be
 * sent (docs/PERFORMANCE.md, issue 12):
 *
 *   npx tsx bench/dynamo-query.ts          [QUERY_BENCH_CALLS=2000] [QUERY_BENCH_ROUNDS=3]
 *
 *   document        the Document client with the per-call deadline (what the list used before)
 *   sdk-cached      a low-level client with the SDK's handler cache (`cacheMiddleware: true`; no
 *                   per-call options, so the deadline is raced outside the call), util-dynamodb
 *                   unmarshall
 *   signed          SignedQuery (libs/aws-clients/src/signed-query.ts), what the list uses now
 *
 * dynalite runs in a child process, so only the client's CPU is counted (process.cpuUsage, 10
 * calls in flight). Then SigV4 alone: one signature of that Query's request, with the SDK's hash
 * and with NodeSha256. Rounds repeat the set; read the last (the first carries JIT warm-up).
 */
import os from 'node:os';
import {
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand as LowLevelQueryCommand,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsConfig, createAwsClients, NodeSha256, withoutSdkLogging } from '@app/aws-clients';
import { JOB_VIEW_ATTRIBUTES, jobsTableDefinition } from '@app/jobs-domain';
import { findFreePort, LOCAL_AWS_CREDENTIALS } from '../tools/local-stack/services';
import { spawnDynalite, waitForPort } from './support/gateway-stack';
import { benchHeader } from './support/machine';

const CALLS = Number(process.env.QUERY_BENCH_CALLS) || 2000;
const ROUNDS = Number(process.env.QUERY_BENCH_ROUNDS) || 3;
const IN_FLIGHT = 10;
const TABLE = 'bench-jobs';

async function main(): Promise<void> {
  console.log(await benchHeader('bench/dynamo-query', `${CALLS} calls per variant`));
  const port = await findFreePort();
  const dynalite = spawnDynalite(port);
  try {
    await waitForPort(port, 30_000);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS_CREDENTIALS.secretAccessKey;
    const config = Object.assign(new AwsConfig(), { JOBS_TABLE_NAME: TABLE });
    const { dynamo, query } = createAwsClients(config);
    await dynamo.send(new CreateTableCommand(jobsTableDefinition(TABLE)));
    const now = new Date().toISOString();
    for (let i = 0; i < 20; i++) {
      await dynamo.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            pk: 'USER#u',
            sk: `JOB#${String(i).padStart(3, '0')}`,
            entity: 'JOB',
            jobId: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
            userId: 'u',
            url: `https://shop.example.com/p/${i}`,
            targetPrice: '19.99',
            currency: 'EUR',
            checkIntervalMinutes: 60,
            status: 'active',
            version: 3,
            createdAt: now,
            updatedAt: now,
            nextCheckAt: Date.now(),
            consecutiveFailures: 0,
            title: `A product title of a usual length, number ${i}`,
            lastPrice: '21.00',
            lastCurrency: 'EUR',
            lastCheckedAt: now,
            lastOutcome: 'ok',
            lastSource: 'jsonld',
            dueShard: 'S1',
          },
        }),
      );
    }
    const input = {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ScanIndexForward: false,
      ProjectionExpression: JOB_VIEW_ATTRIBUTES.map((_, i) => `#v${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(
        JOB_VIEW_ATTRIBUTES.map((a, i) => [`#v${i}`, a]),
      ),
      ExpressionAttributeValues: { ':pk': 'USER#u', ':prefix': 'JOB#' },
      Limit: 20,
    };
    const lowLevelInput = {
      ...input,
      ExpressionAttributeValues: marshall(input.ExpressionAttributeValues),
    };
    const cached = withoutSdkLogging(
      new DynamoDBClient({
        region: config.AWS_REGION,
        maxAttempts: 3,
        cacheMiddleware: true,
        sha256: NodeSha256,
        requestHandler: {
          connectionTimeout: 3000,
          requestTimeout: 5000,
          throwOnRequestTimeout: true,
        },
      }),
    );
    const raced = <T>(p: Promise<T>, ms: number): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('deadline')), ms);
      });
      return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
    };
    const variants: [string, () => Promise<unknown[]>][] = [
      ['document', async () => (await dynamo.send(new QueryCommand(input))).Items ?? []],
      [
        'sdk-cached',
        async () =>
          (
            (await raced(cached.send(new LowLevelQueryCommand(lowLevelInput)), 5000)).Items ?? []
          ).map((i) => unmarshall(i)),
      ],
      ['signed', async () => (await query.send(input)).Items],
    ];
    for (const [name, call] of variants) {
      const items = await call();
      if (items.length !== 20) throw new Error(`${name} read ${items.length} items, not 20`);
    }
    const body = JSON.stringify(lowLevelInput);
    const request = () => ({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/',
      query: {},
      headers: {
        host: `127.0.0.1:${port}`,
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': 'DynamoDB_20120810.Query',
      },
      body,
    });
    const signer = (sha256: typeof NodeSha256) =>
      new SignatureV4({
        credentials: LOCAL_AWS_CREDENTIALS,
        region: config.AWS_REGION,
        service: 'dynamodb',
        sha256,
        uriEscapePath: true,
      });
    const signers: [string, SignatureV4][] = [
      ['SigV4, SDK hash', signer(new DynamoDBClient({}).config.sha256 as typeof NodeSha256)],
      ['SigV4, NodeSha256', signer(NodeSha256)],
    ];

    for (let round = 1; round <= ROUNDS; round++) {
      const rows: Record<string, string>[] = [];
      for (const [name, call] of variants) {
        let started = 0;
        const cpu = process.cpuUsage();
        const wall = performance.now();
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (started < CALLS) {
              started++;
              await call();
            }
          }),
        );
        const used = process.cpuUsage(cpu);
        rows.push({
          variant: name,
          'CPU ms/call': ((used.user + used.system) / 1000 / CALLS).toFixed(3),
          'wall ms/call': ((performance.now() - wall) / CALLS).toFixed(3),
        });
      }
      for (const [name, s] of signers) {
        const n = CALLS * 5;
        const cpu = process.cpuUsage();
        for (let i = 0; i < n; i++) await s.sign(request());
        const used = process.cpuUsage(cpu);
        rows.push({
          variant: name,
          'CPU ms/call': ((used.user + used.system) / 1000 / n).toFixed(3),
          'wall ms/call': '',
        });
      }
      console.log(`round ${round}/${ROUNDS}, load ${os.loadavg()[0].toFixed(1)}`);
      console.table(rows);
    }
    query.destroy();
    dynamo.destroy();
    cached.destroy();
  } finally {
    dynalite.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
