import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { buildWebhookTestMessage, ProfilesRepository } from '@app/jobs-domain';
import { metricsRegistry } from '@app/platform';
import { loadWorkerConfig } from '../../apps/scraper-worker/src/worker.config';
import { WorkerModule } from '../../apps/scraper-worker/src/worker.module';
import { WebhookTester } from '../../apps/scraper-worker/src/notifying/webhook-tester';
import { eventually, RunningApp, startGateway, testEnv, uniqueEmail } from '../support/apps';
import { createTestQueue, sqsClient } from '../support/queues';

// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

/**
 * "Send test" of the settings page, end to end on real services: the gateway (which has no way
 * out) records a pending test and queues it on local-aws-sqs; the worker, consuming that queue,
 * POSTs the test payload to a loopback receiver through its egress guard and records the outcome
 * on the profile in dynalite, where GET /me shows it. The receiver stands in for Slack or Discord.
 */
describe('webhook test (integration)', () => {
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  let gw: RunningApp;
  let worker: INestApplicationContext;

  let hook: http.Server;
  let hookBase: string;
  /** What the receiver was sent, by path. */
  const received: { path: string; body: AnyJson; key: string | undefined }[] = [];
  /** Requests held open by /slow, answered (or dropped) when the test ends. */
  const slow: http.ServerResponse[] = [];
  const RECEIVER_SECRET = 'receiver-private-body-7f3a';

  const api = (path: string) => `${gw.baseUrl}/api/v1${path}`;

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({
          path,
          body: data ? JSON.parse(data) : undefined,
          key: req.headers['idempotency-key'] as string | undefined,
        });
        if (path === '/ok') return void res.writeHead(204).end();
        if (path === '/fail')
          return void res.writeHead(500, { 'content-type': 'text/plain' }).end(RECEIVER_SECRET);
        // A redirect is never followed, wherever it points.
        if (path === '/redirect')
          return void res.writeHead(302, { location: `${hookBase}/followed` }).end();
        if (path === '/slow') return void slow.push(res);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'webhook-test-it', { visibilityTimeout: 10 });
    const env = testEnv({
      CHECKS_QUEUE_URL: queue.queueUrl,
      // Tests and the local stack name the loopback receiver; production allows no private host.
      EGRESS_ALLOW_HOSTS: new URL(hookBase).host,
      SQS_WAIT_TIME_SECONDS: '1',
      BROWSER_ENABLED: 'false',
      WEBHOOK_TIMEOUT_MS: '1500',
    });
    gw = await startGateway(env);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadWorkerConfig(env)),
      { logger: false },
    );
    await worker.init();
  });

  afterAll(async () => {
    for (const res of slow) res.destroy();
    await worker?.close();
    await gw?.close();
    await queue?.dispose();
    sqs?.destroy();
    await new Promise((r) => hook?.close(r));
  });

  /** A new user; `bearer` for API calls and the session `cookie` for the same-site checks. */
  async function signUp(): Promise<{ id: string; bearer: Record<string, string>; cookie: string }> {
    const email = uniqueEmail('hooktest');
    const creds = JSON.stringify({ email, password: 'long enough pw' });
    const headers = { 'content-type': 'application/json' };
    const user = (await (
      await fetch(api('/signup'), { method: 'POST', headers, body: creds })
    ).json()) as AnyJson;
    const res = await fetch(api('/signin'), { method: 'POST', headers, body: creds });
    const session = (await res.json()) as AnyJson;
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return { id: user.id, bearer: { authorization: `Bearer ${session.accessToken}` }, cookie };
  }

  const setWebhook = async (u: { bearer: Record<string, string> }, url: string | null) => {
    const res = await fetch(api('/me'), {
      method: 'PATCH',
      headers: { ...u.bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ webhookUrl: url }),
    });
    expect(res.status).toBe(200);
  };
  const startTest = (u: { bearer: Record<string, string> }) =>
    fetch(api('/me/webhook/test'), { method: 'POST', headers: u.bearer });
  const me = async (u: { bearer: Record<string, string> }): Promise<AnyJson> =>
    (await fetch(api('/me'), { headers: u.bearer })).json();
  const finished = (u: { bearer: Record<string, string> }, testId: string) =>
    eventually(
      async () => {
        const t = (await me(u)).webhookTest;
        return t?.id === testId && t.state !== 'pending' ? t : undefined;
      },
      20_000,
      `webhook test ${testId} to finish`,
    );

  it('answers 409 WEBHOOK_NOT_SET as problem details when no webhook is saved', async () => {
    const u = await signUp();
    const res = await startTest(u);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 409, code: 'WEBHOOK_NOT_SET' });
    expect((await me(u)).webhookTest).toBeUndefined();
  });

  it('sends a clearly marked test through the worker and shows "sent" with the status', async () => {
    const u = await signUp();
    await setWebhook(u, `${hookBase}/ok`);
    const res = await startTest(u);
    expect(res.status).toBe(202);
    const started = (await res.json()) as AnyJson;
    expect(started).toMatchObject({ state: 'pending', requestedAt: expect.any(String) });

    const done = await finished(u, started.id);
    expect(done).toMatchObject({ state: 'sent', httpStatus: 204, finishedAt: expect.any(String) });
    expect(done.error).toBeUndefined();
    const got = received.filter(
      (r) => r.path === '/ok' && r.body?.pricewatch?.testId === started.id,
    );
    expect(got).toHaveLength(1);
    expect(got[0].body.pricewatch).toEqual({
      test: true,
      testId: started.id,
      requestedAt: started.requestedAt,
    });
    expect(got[0].body.text).toMatch(/^Test from pricewatch/);
    expect(got[0].key).toBe(`test-${started.id}`);

    // A second test within 10 s is refused, with the standard Retry-After.
    const again = await startTest(u);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await again.json()) as AnyJson).code).toBe('RATE_LIMITED');
  });

  it('shows "failed" with the status of a receiver that answers 500, never its body', async () => {
    const u = await signUp();
    await setWebhook(u, `${hookBase}/fail`);
    const started = (await (await startTest(u)).json()) as AnyJson;
    const done = await finished(u, started.id);
    expect(done).toMatchObject({ state: 'failed', error: 'http_status', httpStatus: 500 });
    const raw = await (await fetch(api('/me'), { headers: u.bearer })).text();
    expect(raw).not.toContain(RECEIVER_SECRET);
  });

  it('does not follow a redirect', async () => {
    const u = await signUp();
    await setWebhook(u, `${hookBase}/redirect`);
    const started = (await (await startTest(u)).json()) as AnyJson;
    expect(await finished(u, started.id)).toMatchObject({
      state: 'failed',
      error: 'http_status',
      httpStatus: 302,
    });
    expect(received.some((r) => r.path === '/followed')).toBe(false);
  });

  it('gives up on a receiver that does not answer within the webhook timeout', async () => {
    const u = await signUp();
    await setWebhook(u, `${hookBase}/slow`);
    const started = (await (await startTest(u)).json()) as AnyJson;
    expect(await finished(u, started.id)).toMatchObject({ state: 'failed', error: 'timeout' });
  });

  it("refuses, in the worker's egress guard, a webhook on an address the policy does not allow", async () => {
    const u = await signUp();
    // Stored behind the gateway's back (the gateway refuses it on save): the worker must refuse
    // it at connect time too. 127.0.0.2 is loopback and not on the allow list.
    const port = new URL(hookBase).port;
    await worker.get(ProfilesRepository).setWebhook(u.id, `http://127.0.0.2:${port}/ok`);
    const before = received.length;
    const started = (await (await startTest(u)).json()) as AnyJson;
    expect(await finished(u, started.id)).toMatchObject({
      state: 'failed',
      error: 'refused_address',
    });
    expect(received.length).toBe(before);
  });

  it('refuses a cross-site cookie request, and accepts the same-site one', async () => {
    const u = await signUp();
    await setWebhook(u, `${hookBase}/ok`);
    const forged = await fetch(api('/me/webhook/test'), {
      method: 'POST',
      headers: { cookie: u.cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as AnyJson).code).toBe('CROSS_SITE_REQUEST');
    expect((await me(u)).webhookTest).toBeUndefined();
    const same = await fetch(api('/me/webhook/test'), {
      method: 'POST',
      headers: { cookie: u.cookie, origin: gw.baseUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(202);
  });

  it('sends nothing for a test the profile no longer waits for (new URL, forged or replayed message)', async () => {
    const u = await signUp();
    const profiles = worker.get(ProfilesRepository);
    const tester = worker.get(WebhookTester);
    await setWebhook(u, `${hookBase}/ok`);
    const started = await profiles.startWebhookTest(
      u.id,
      { testId: 'pending-then-new-url', requestedAt: new Date().toISOString() },
      10_000,
    );
    expect(started).toMatchObject({ state: 'pending' });
    // Saving another URL clears the test: its message must not reach the new URL.
    await setWebhook(u, `${hookBase}/other`);
    expect((await me(u)).webhookTest).toBeUndefined();
    const before = received.length;
    await expect(tester.run(buildWebhookTestMessage(u.id, 'pending-then-new-url'))).resolves.toBe(
      'dropped',
    );
    // A message naming a test that never existed, sent on the real queue, is dropped too.
    const notAwaited = async () =>
      (await metricsRegistry.getSingleMetric('worker_messages_dropped_total')!.get()).values.find(
        (v) => v.labels.reason === 'webhook_test_not_awaited',
      )?.value ?? 0;
    const droppedBefore = await notAwaited();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: JSON.stringify(buildWebhookTestMessage(u.id, 'never-started')),
      }),
    );
    await eventually(
      async () => ((await notAwaited()) > droppedBefore ? true : undefined),
      20_000,
      'the worker to drop the message',
    );
    expect(received.length).toBe(before);
    // A real test still goes through.
    const real = (await (await startTest(u)).json()) as AnyJson;
    expect(await finished(u, real.id)).toMatchObject({ state: 'sent' });
    const sent = received.slice(before);
    expect(sent.map((r) => r.body?.pricewatch?.testId)).toEqual([real.id]);
    // A redelivery of the finished test sends nothing again.
    await expect(tester.run(buildWebhookTestMessage(u.id, real.id))).resolves.toBe('dropped');
    expect(received.length).toBe(before + 1);
  });
});
