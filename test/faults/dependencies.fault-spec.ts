import { eventually } from '../support/apps';
import { AnyJson, Api, Timed } from './support/api';
import { Figures } from './support/figures';
import { FaultProxy } from './support/fault-proxy';
import {
  ANSWER_BOUND_MS,
  AWS_REQUEST_TIMEOUT_MS,
  DATABASE_QUERY_TIMEOUT_MS,
  FaultStack,
  RunningApp,
} from './support/stack';

/**
 * Each dependency hung (accepts, never answers) and refused (connections reset), with all three
 * apps running from their bundles behind the proxies: what a client of the gateway sees, and that
 * the loop (worker, rescheduler) picks up again without a restart.
 *
 * The tests run in file order on purpose: the SQS outages come last, and their jobs reach the
 * worker only through the rescheduler, so they also prove that a rescheduler and a worker whose
 * calls hung on DynamoDB earlier still schedule and check.
 */

/** How long each SQS outage lasts: short in CI; 120000 for the 2-minute figure. */
const SQS_OUTAGE_MS = Number(process.env.FAULTS_SQS_OUTAGE_MS || 20_000);
/** The figure: every job created during the outage checked within a minute of recovery. */
const RECOVERY_BOUND_MS = 60_000;

describe('dependencies hung or refused', () => {
  let stack: FaultStack;
  let gateway: RunningApp;
  let worker: RunningApp;
  let api: Api;
  const figures = new Figures('dependencies.fault-spec.ts');
  const workerLines = {
    unreachable: 0,
    reachable: 0,
    failedReceives: [] as number[],
    /** Every line about the queue's state, for a failure's message. */
    seen: [] as string[],
  };

  beforeAll(async () => {
    stack = await FaultStack.start('deps', {
      // The production lease (15 min): a claim left behind by a failed send would hold its job far
      // beyond the minute the recovery figure allows, so only released claims pass.
      CHECK_LEASE_SECONDS: '900',
    });
    [gateway, worker] = await Promise.all([
      stack.startApp('gateway'),
      stack.startApp('scraper-worker'),
      // RESCHEDULE_INTERVAL_SECONDS at its local default (5), as the recovery figure asks.
      stack.startApp('rescheduler'),
    ]);
    let partial = '';
    worker.proc.onOutput((text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('checks queue')) workerLines.seen.push(line);
        if (line.includes('checks queue unreachable')) workerLines.unreachable++;
        const back = /"failedReceives":(\d+).*checks queue reachable again/.exec(line);
        if (back) {
          workerLines.reachable++;
          workerLines.failedReceives.push(Number(back[1]));
        }
      }
    });
    api = await Api.signUp(gateway.url, 'faults-deps');
  }, 240_000);

  afterEach(() => stack.healAll());
  afterAll(async () => {
    figures.print();
    await stack?.stop();
  });

  /** A 503 DEPENDENCY_UNAVAILABLE with Retry-After, answered within the bound. */
  function expectUnavailable(res: Timed, boundMs: number, what: string): void {
    const seen = `${what}: ${res.status} in ${Math.round(res.ms)} ms`;
    expect({ seen, status: res.status, code: res.body?.code }).toEqual({
      seen,
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect({ seen, withinBound: res.ms <= boundMs }).toEqual({ seen, withinBound: true });
  }

  const product = (sku: string) => `${stack.shop.baseUrl}/p/dynamic?sku=${sku}`;

  /** Polls a request until it answers `status` (the dependency is back; no restart). */
  const answersAgain = (what: string, status: number, call: () => Promise<Timed>) =>
    eventually(
      async () => ((await call()).status === status ? true : undefined),
      30_000,
      `${what} to answer ${status} again`,
    );

  describe.each([
    ['hung', (p: FaultProxy) => p.hang()],
    ['refused', (p: FaultProxy) => p.refuse()],
  ])('DynamoDB %s', (mode, fault) => {
    it(`answers 503 DEPENDENCY_UNAVAILABLE with Retry-After within AWS_REQUEST_TIMEOUT_MS + 1 s, then 2xx once it is back`, async () => {
      const before = await api.createJob(product(`ddb-${mode}-before`), '1');
      await api.status(before.id, 'active');
      fault(stack.proxies.dynamodb);
      const latencies: number[] = [];
      for (const [method, path, body] of [
        ['GET', '/jobs', undefined],
        ['GET', `/jobs/${before.id}`, undefined],
        ['POST', '/jobs', { url: product(`ddb-${mode}-during`), targetPrice: '1' }],
        ['GET', `/jobs/${before.id}/history`, undefined],
      ] as const) {
        const res = await api.request(method, path, body);
        expectUnavailable(res, ANSWER_BOUND_MS, `${method} ${path}`);
        latencies.push(res.ms);
      }
      figures.series(
        `DynamoDB ${mode}: 503 latency (AWS_REQUEST_TIMEOUT_MS ${AWS_REQUEST_TIMEOUT_MS}, bound ${ANSWER_BOUND_MS})`,
        latencies,
      );

      stack.proxies.dynamodb.resume();
      const resumed = performance.now();
      await answersAgain('GET /jobs', 200, () => api.request('GET', '/jobs'));
      figures.add(`DynamoDB ${mode}: first 200 after resume`, performance.now() - resumed);
      const after = await api.createJob(product(`ddb-${mode}-after`), '1');
      // The loop is whole again: a new job is checked (price above target: active, not notified).
      await api.status(after.id, 'active');
      expect(await api.points(before.id)).toHaveLength(1);
    });
  });

  describe.each([
    ['hung', (p: FaultProxy) => p.hang()],
    ['refused', (p: FaultProxy) => p.refuse()],
  ])('PostgreSQL %s', (mode, fault) => {
    it('sign-in and sign-up answer 503 within DATABASE_QUERY_TIMEOUT_MS + 1 s, and work once it is back', async () => {
      const bound = DATABASE_QUERY_TIMEOUT_MS + 1000;
      const signIn = () =>
        Api.call(api.base, 'POST', '/signin', { email: api.email, password: api.password });
      const signUp = (tag: string) =>
        Api.call(api.base, 'POST', '/signup', {
          email: `pg-${mode}-${tag}-${Date.now().toString(36)}@example.com`,
          password: 'long enough pw',
        });
      fault(stack.proxies.postgres);
      const latencies: number[] = [];
      for (const [what, call] of [
        ['sign-in', signIn],
        ['sign-up', () => signUp('during')],
        ['sign-in again', signIn],
      ] as const) {
        const res = await call();
        expectUnavailable(res, bound, what);
        latencies.push(res.ms);
      }
      figures.series(
        `PostgreSQL ${mode}: 503 latency (DATABASE_QUERY_TIMEOUT_MS ${DATABASE_QUERY_TIMEOUT_MS}, bound ${bound})`,
        latencies,
      );

      stack.proxies.postgres.resume();
      const resumed = performance.now();
      await answersAgain('sign-in', 200, signIn);
      figures.add(
        `PostgreSQL ${mode}: first sign-in 200 after resume`,
        performance.now() - resumed,
      );
      expect((await signUp('after')).status).toBe(201);
    });
  });

  describe.each([
    ['hung', (p: FaultProxy) => p.hang()],
    ['refused', (p: FaultProxy) => p.refuse()],
  ])('SQS %s', (mode, fault) => {
    it(
      `accepts jobs (202 within the bound, due), backs off logging once, and checks every job within a minute of recovery`,
      async () => {
        const lines = {
          unreachable: workerLines.unreachable,
          failedReceives: workerLines.failedReceives.length,
          seen: workerLines.seen.length,
        };
        fault(stack.proxies.sqs);
        const outageStarted = Date.now();
        const created: AnyJson[] = [];
        const latencies: number[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await api.request('POST', '/jobs', {
            url: product(`sqs-${mode}-${i}`),
            targetPrice: '1',
            checkIntervalMinutes: 60,
          });
          const seen = `POST /jobs: ${res.status} in ${Math.round(res.ms)} ms`;
          expect({ seen, status: res.status, withinBound: res.ms <= ANSWER_BOUND_MS }).toEqual({
            seen,
            status: 202,
            withinBound: true,
          });
          // Not enqueued: the job stays due now, for the rescheduler.
          expect(res.body.status).toBe('pending');
          created.push(res.body);
          latencies.push(res.ms);
        }
        figures.series(`SQS ${mode}: POST /jobs latency (bound ${ANSWER_BOUND_MS})`, latencies);

        // The outage lasts its configured length: this is the fault's duration, not a wait for a
        // result. Meanwhile the rescheduler's sends fail and it releases its claims.
        await new Promise((r) =>
          setTimeout(r, Math.max(0, outageStarted + SQS_OUTAGE_MS - Date.now())),
        );
        for (const job of created) {
          const now = await api.job(job.id);
          // Due: pending, or queued by a rescheduler run whose send failed and whose claim was
          // released (the API shows both the same way); never checked, never failed.
          expect({ id: job.id, due: ['pending', 'queued'].includes(now.status) }).toEqual({
            id: job.id,
            due: true,
          });
          expect(now.lastCheckedAt).toBeUndefined();
        }
        // One line when the queue went away, however many receives failed.
        expect(workerLines.unreachable - lines.unreachable).toBe(1);

        stack.proxies.sqs.resume();
        const recovered = Date.now();
        let last = 0;
        try {
          for (const job of created) {
            await eventually(
              async () => ((await api.job(job.id)).lastCheckedAt ? true : undefined),
              Math.max(1, recovered + RECOVERY_BOUND_MS - Date.now()),
              `job ${job.id} to be checked within a minute of recovery`,
            );
            last = Date.now() - recovered;
          }
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${stack.outputs()}`);
        }
        figures.add(
          `SQS ${mode} for ${SQS_OUTAGE_MS} ms: all ${created.length} jobs created during it checked after recovery within`,
          last,
        );
        for (const job of created) {
          expect(await api.points(job.id)).toHaveLength(1);
          expect((await api.job(job.id)).status).toBe('active');
        }
        // Logged as state changes: once when it went (above), once when it came back; a receive
        // sent during the outage that fails after that does not mark it down again.
        const stateLines = () => workerLines.seen.slice(lines.seen);
        try {
          await eventually(
            async () => (stateLines().at(-1)?.includes('reachable again') ? true : undefined),
            10_000,
            'the worker to log that the queue is back',
          );
          expect(stateLines()).toHaveLength(2);
        } catch (err) {
          throw new Error(`${(err as Error).message}; its lines:\n${stateLines().join('\n')}`);
        }
        figures.add(
          `SQS ${mode}: worker log lines about the queue's state`,
          stateLines().length,
          '',
        );
        const failed = workerLines.failedReceives.slice(lines.failedReceives);
        figures.add(
          `SQS ${mode}: receives that failed in a row, as logged by the first poller to get through`,
          failed.join(','),
        );
        // The worker's metrics still answer: the process lived through it.
        expect((await fetch(`${worker.url}/health/live`)).ok).toBe(true);
      },
      SQS_OUTAGE_MS + 120_000,
    );
  });
});
