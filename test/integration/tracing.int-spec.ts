import { SQSClient } from '@aws-sdk/client-sqs';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTracing, shutdownTracing } from '@app/platform';
import { CheckService } from '../../apps/scraper-worker/src/checks/check.service';
import { loadWorkerConfig } from '../../apps/scraper-worker/src/worker.config';
import { WorkerModule } from '../../apps/scraper-worker/src/worker.module';
import { FixtureShop, startFixtureShop } from '../fixtures/shop';
import { eventually, RunningApp, startGateway, testEnv, uniqueEmail } from '../support/apps';
import { createTestQueue, drain, sqsClient } from '../support/queues';

/** The trace started by the gateway's request continues in the worker, across the SQS message. */
describe('tracing across SQS (integration)', () => {
  const exporter = new InMemorySpanExporter();
  let shop: FixtureShop;
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  let gw: RunningApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    initTracing('pricewatch-test', {}, exporter);
    shop = await startFixtureShop();
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'tracing-it');
    const env = testEnv({
      CHECKS_QUEUE_URL: queue.queueUrl,
      EGRESS_ALLOW_HOSTS: shop.hostPort,
      BROWSER_ENABLED: 'false',
    });
    gw = await startGateway(env);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadWorkerConfig(env), { consume: false }),
      { logger: false },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await queue?.dispose();
    await shop?.close();
    sqs?.destroy();
    await shutdownTracing();
  });

  it("puts the worker's check span in the trace of the gateway request that created the job", async () => {
    const api = `${gw.baseUrl}/api/v1`;
    const email = uniqueEmail('trace');
    const json = { 'content-type': 'application/json' };
    await fetch(`${api}/signup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: 'long enough pw' }),
    });
    const session = (await (
      await fetch(`${api}/signin`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password: 'long enough pw' }),
      })
    ).json()) as { accessToken: string };
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const res = await fetch(`${api}/jobs`, {
      method: 'POST',
      headers: {
        ...json,
        authorization: `Bearer ${session.accessToken}`,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ url: `${shop.baseUrl}/p/jsonld`, targetPrice: '1' }),
    });
    expect(res.status).toBe(202);

    const [message] = await drain(sqs, queue.queueUrl);
    expect(message.MessageAttributes?.traceparent?.StringValue).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
    expect(await worker.get(CheckService).handle(message)).toBe('checked');

    const spans = await eventually(async () => {
      const all = exporter.getFinishedSpans();
      return all.some((s) => s.name === 'check') ? all : undefined;
    });
    const server = spans.find((s) => s.name === 'POST /api/v1/jobs');
    const check = spans.find((s) => s.name === 'check');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(check?.spanContext().traceId).toBe(traceId);
    expect(check?.parentSpanContext?.spanId).toBe(
      message.MessageAttributes!.traceparent.StringValue!.split('-')[2],
    );
  });
});
