import { Test, TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsClientsModule, AwsConfig, DYNAMODB } from '@app/aws-clients';
import {
  allDueShards,
  CheckRecord,
  historySk,
  InvalidCursorError,
  Job,
  JobsRepository,
  Notification,
  notificationSk,
  OutboxRepository,
  PriceHistoryRepository,
  PricePoint,
  ProfilesRepository,
  StaleJobError,
  userPk,
} from '@app/jobs-domain';
import { loadConfig, RuntimeConfig } from '@app/platform';
import { testEnv } from '../support/apps';

/**
 * The four repositories over the jobs table, each against dynalite through the app's own client
 * and Nest wiring: what each aggregate stores, and that one aggregate's writes and deletes leave
 * the others alone.
 */
describe('jobs table repositories (dynalite)', () => {
  let moduleRef: TestingModule;
  let jobs: JobsRepository;
  let prices: PriceHistoryRepository;
  let outbox: OutboxRepository;
  let profiles: ProfilesRepository;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        AwsClientsModule.forRoot(loadConfig(RuntimeConfig, { aws: AwsConfig }, testEnv()).aws),
      ],
      providers: [JobsRepository, PriceHistoryRepository, OutboxRepository, ProfilesRepository],
    }).compile();
    jobs = moduleRef.get(JobsRepository);
    prices = moduleRef.get(PriceHistoryRepository);
    outbox = moduleRef.get(OutboxRepository);
    profiles = moduleRef.get(ProfilesRepository);
  });
  afterAll(() => moduleRef.close());

  const newUser = () => randomUUID();
  function newJob(userId: string, overrides: Partial<Job> = {}): Job {
    const now = new Date().toISOString();
    return {
      jobId: randomUUID(),
      userId,
      url: 'https://shop.example.com/p',
      targetPrice: '10.00',
      currency: 'EUR',
      checkIntervalMinutes: 60,
      status: 'pending',
      version: 1,
      createdAt: now,
      updatedAt: now,
      nextCheckAt: Date.now() - 1000,
      consecutiveFailures: 0,
      ...overrides,
    };
  }
  /** The record of a successful check at minute n. */
  function priced(jobId: string, n: number): CheckRecord {
    return {
      checkId: `p${n}`,
      jobId,
      checkedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      outcome: 'ok',
      price: `${n}.00`,
      currency: 'EUR',
      source: 'json-ld',
    };
  }
  /** The price point that record reads back as. */
  function point(jobId: string, n: number): PricePoint {
    return {
      pointId: `p${n}`,
      jobId,
      price: `${n}.00`,
      currency: 'EUR',
      checkedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      source: 'json-ld',
    };
  }
  /** Every due job key of the user, across the shards. */
  async function dueKeys(userId: string, nowMs = Date.now()): Promise<string[]> {
    const found: string[] = [];
    for (const shard of allDueShards(8)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await jobs.queryDue(shard, nowMs, 100, startKey);
        for (const k of page.keys) if (k.userId === userId) found.push(k.jobId);
        startKey = page.lastKey;
      } while (startKey);
    }
    return found;
  }

  describe('JobsRepository', () => {
    it('stores a job and reads it back without the table keys', async () => {
      const userId = newUser();
      const job = newJob(userId);
      await jobs.create(job);
      const read = await jobs.get(userId, job.jobId, true);
      expect(read).toEqual(job);
      expect(read).not.toHaveProperty('pk');
      expect(read).not.toHaveProperty('dueShard');
    });

    it('refuses to create a job whose id exists', async () => {
      const userId = newUser();
      const job = newJob(userId);
      await jobs.create(job);
      await expect(jobs.create({ ...job, targetPrice: '1.00' })).rejects.toThrow();
      expect((await jobs.get(userId, job.jobId, true))?.targetPrice).toBe('10.00');
    });

    it('applies a transition on the expected version and refuses a stale one', async () => {
      const userId = newUser();
      const job = newJob(userId);
      await jobs.create(job);
      const next = await jobs.transition(job, { set: { status: 'queued' } }, ['pending']);
      expect(next).toMatchObject({ status: 'queued', version: 2 });
      await expect(jobs.transition(job, { set: { status: 'paused' } })).rejects.toBeInstanceOf(
        StaleJobError,
      );
      await expect(
        jobs.transition(next, { set: { status: 'processing' } }, ['pending']),
      ).rejects.toBeInstanceOf(StaleJobError);
      expect((await jobs.get(userId, job.jobId, true))?.status).toBe('queued');
    });

    it('keeps only schedulable jobs in the due index, and a claim takes a due job once', async () => {
      const userId = newUser();
      const due = newJob(userId);
      const paused = newJob(userId);
      await jobs.create(due);
      await jobs.create(paused);
      await jobs.transition(paused, { set: { status: 'paused' } });
      expect(await dueKeys(userId)).toEqual([due.jobId]);

      const now = Date.now();
      await expect(jobs.claimDue(userId, due.jobId, now, 60_000)).resolves.toBe(true);
      await expect(jobs.claimDue(userId, due.jobId, now, 60_000)).resolves.toBe(false);
      await expect(jobs.claimDue(userId, paused.jobId, now, 60_000)).resolves.toBe(false);
      expect(await jobs.get(userId, due.jobId, true)).toMatchObject({
        status: 'queued',
        version: 2,
        nextCheckAt: now + 60_000,
      });
      expect(await dueKeys(userId)).toEqual([]);
    });

    it('releases a claim whose message was not sent, only while that claim still holds', async () => {
      const userId = newUser();
      const job = newJob(userId);
      await jobs.create(job);
      const dueAt = job.nextCheckAt!;
      const now = Date.now();
      await expect(jobs.claimDue(userId, job.jobId, now, 60_000)).resolves.toBe(true);
      // Not our lease (another run's, or already released): untouched.
      await expect(jobs.releaseClaim(userId, job.jobId, now + 1, dueAt)).resolves.toBe(false);
      await expect(jobs.releaseClaim(userId, job.jobId, now + 60_000, dueAt)).resolves.toBe(true);
      expect(await jobs.get(userId, job.jobId, true)).toMatchObject({
        status: 'queued',
        version: 3,
        nextCheckAt: dueAt,
      });
      expect(await dueKeys(userId)).toEqual([job.jobId]);
      await expect(jobs.releaseClaim(userId, job.jobId, now + 60_000, dueAt)).resolves.toBe(false);
      // A worker that got the message after all holds it: a late release must not take it back.
      await expect(jobs.claimDue(userId, job.jobId, Date.now(), 60_000)).resolves.toBe(true);
      const queued = (await jobs.get(userId, job.jobId, true))!;
      await jobs.transition(queued, { set: { status: 'processing' } }, ['queued']);
      await expect(jobs.releaseClaim(userId, job.jobId, queued.nextCheckAt!, dueAt)).resolves.toBe(
        false,
      );
    });

    it('lists the jobs of one user only, filtered by status, across pages', async () => {
      const userId = newUser();
      const other = newUser();
      const created = [newJob(userId), newJob(userId), newJob(userId)];
      for (const j of created) await jobs.create(j);
      await jobs.create(newJob(other));
      await jobs.transition(created[1], { set: { status: 'paused' } });

      const first = await jobs.list(userId, { limit: 1, status: 'pending' });
      expect(first.items).toHaveLength(1);
      // The list reads what the owner sees, not the table's bookkeeping or internal fields.
      expect(first.items[0].status).toBe('pending');
      expect([created[0].url, created[2].url]).toContain(first.items[0].url);
      for (const hidden of ['pk', 'sk', 'entity', 'dueShard', 'userId', 'version'])
        expect(first.items[0]).not.toHaveProperty(hidden);
      const second = await jobs.list(userId, {
        limit: 5,
        status: 'pending',
        cursor: first.nextCursor!,
      });
      const ids = [...first.items, ...second.items].map((j) => j.jobId).sort();
      expect(ids).toEqual([created[0].jobId, created[2].jobId].sort());
      await expect(jobs.list(other, { limit: 5, cursor: first.nextCursor! })).rejects.toThrow(
        InvalidCursorError,
      );
    });

    it('lists the same JobViews and cursors through the signed Query as through the Document client', async () => {
      const userId = newUser();
      const rich = newJob(userId, {
        status: 'active',
        title: 'Kettle «inox» 1,7 l',
        selector: '#price .amount',
        lastPrice: '19.99',
        lastCurrency: 'EUR',
        lastCheckedAt: new Date().toISOString(),
        lastOutcome: 'price_uncertain',
        lastSource: 'jsonld',
        consecutiveFailures: 2,
        failureReason: 'blocked',
        notifiedAt: new Date().toISOString(),
        priceCandidates: [
          { price: '19.99', currency: 'EUR', source: 'jsonld' },
          { price: '24.50', currency: null, source: 'heuristic' },
        ],
        claimMessageId: 'm-1',
        claimedAt: new Date().toISOString(),
      });
      for (const j of [newJob(userId), rich, newJob(userId), newJob(userId, { status: 'active' })])
        await jobs.create(j);
      // The same repository without the signed path: every page through the Document client.
      const viaSdk = new JobsRepository(moduleRef.get(DYNAMODB), jobs['aws']);
      const sdkSend = jest.spyOn(moduleRef.get<DynamoDBDocumentClient>(DYNAMODB), 'send');
      for (const status of [undefined, 'active' as const]) {
        let cursor: string | undefined;
        let listed = 0;
        do {
          sdkSend.mockClear();
          const signed = await jobs.list(userId, { limit: 1, status, cursor });
          // Answered by the signed request itself, not by its fallback through the SDK.
          expect(sdkSend).not.toHaveBeenCalled();
          const sdk = await viaSdk.list(userId, { limit: 1, status, cursor });
          expect(signed).toEqual(sdk);
          listed += signed.items.length;
          cursor = signed.nextCursor ?? undefined;
        } while (cursor);
        expect(listed).toBe(status ? 2 : 4);
      }
      sdkSend.mockRestore();
      const page = await jobs.list(userId, { limit: 10, status: 'active' });
      const seen = page.items.find((j) => j.jobId === rich.jobId)!;
      const { userId: _owner, version: _v, claimMessageId: _m, claimedAt: _c, ...view } = rich;
      expect(seen).toEqual(view);
    });

    it('deletes a job but not its price history, which has its own repository', async () => {
      const userId = newUser();
      const job = newJob(userId);
      await jobs.create(job);
      await prices.record(userId, priced(job.jobId, 1), 3600);
      await expect(jobs.delete(userId, job.jobId)).resolves.toBe(true);
      await expect(jobs.delete(userId, job.jobId)).resolves.toBe(false);
      expect(await jobs.get(userId, job.jobId, true)).toBeNull();
      expect((await prices.list(userId, job.jobId, { limit: 5 })).items).toHaveLength(1);
    });
  });

  describe('PriceHistoryRepository', () => {
    it('adds a point once (a retried check writes the same point) and pages newest first', async () => {
      const userId = newUser();
      const jobId = randomUUID();
      for (const n of [1, 2, 3]) await prices.record(userId, priced(jobId, n), 3600);
      await prices.record(userId, { ...priced(jobId, 2), price: '99.00' }, 3600);

      const first = await prices.list(userId, jobId, { limit: 2 });
      expect(first.items.map((p) => p.price)).toEqual(['3.00', '2.00']);
      expect(first.items[0]).toEqual(point(jobId, 3));
      const rest = await prices.list(userId, jobId, { limit: 2, cursor: first.nextCursor! });
      expect(rest.items.map((p) => p.price)).toEqual(['1.00']);
      expect(rest.nextCursor).toBeNull();
    });

    it('records every check, priced or not; the price history pages over the priced ones only', async () => {
      const userId = newUser();
      const jobId = randomUUID();
      const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 1, n)).toISOString();
      const failed: CheckRecord = {
        checkId: 'f1',
        jobId,
        checkedAt: at(2),
        outcome: 'blocked',
        reason: 'The shop answered 429',
        durationMs: 812,
      };
      const soldOut: CheckRecord = {
        checkId: 's1',
        jobId,
        checkedAt: at(3),
        outcome: 'out_of_stock',
        availability: 'OutOfStock',
        // A price on a check that is not ok is never kept: the chart trusts every priced item.
        price: '5.00',
        currency: 'EUR',
        reason: 'The product is out of stock',
      };
      const ok: CheckRecord = {
        ...priced(jobId, 1),
        checkedAt: at(1),
        availability: 'InStock',
        durationMs: 120,
      };
      await prices.record(userId, ok, 3600);
      await prices.record(userId, failed, 3600);
      await prices.record(userId, soldOut, 3600);
      await prices.record(userId, { ...failed, outcome: 'fetch_error' }, 3600); // a retry: first write stands

      const checks = await prices.listChecks(userId, jobId, { limit: 10 });
      expect(checks.items).toEqual([
        {
          checkId: 's1',
          jobId,
          checkedAt: at(3),
          outcome: 'out_of_stock',
          availability: 'OutOfStock',
          currency: 'EUR',
          reason: 'The product is out of stock',
        },
        failed,
        ok,
      ]);
      // Two checks a page: the failures do not shorten a page of prices.
      const page = await prices.listChecks(userId, jobId, { limit: 2 });
      expect(page.items.map((c) => c.checkId)).toEqual(['s1', 'f1']);
      expect(
        (await prices.listChecks(userId, jobId, { limit: 2, cursor: page.nextCursor! })).items,
      ).toEqual([ok]);
      const points = await prices.list(userId, jobId, { limit: 1 });
      expect(points.items).toEqual([{ ...point(jobId, 1), checkedAt: at(1) }]);
      const after = await prices.list(userId, jobId, { limit: 1, cursor: points.nextCursor! });
      expect(after).toEqual({ items: [], nextCursor: null });
    });

    it('reads a price point written before every check was recorded as an ok check', async () => {
      const userId = newUser();
      const jobId = randomUUID();
      const legacy = point(jobId, 4);
      await moduleRef.get(DYNAMODB).send(
        new PutCommand({
          TableName: testEnv().JOBS_TABLE_NAME,
          Item: {
            pk: userPk(userId),
            sk: historySk(jobId, legacy.checkedAt, legacy.pointId),
            entity: 'PRICE',
            ...legacy,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
          },
        }),
      );
      expect((await prices.list(userId, jobId, { limit: 5 })).items).toEqual([legacy]);
      expect((await prices.listChecks(userId, jobId, { limit: 5 })).items).toEqual([
        priced(jobId, 4),
      ]);
    });

    it("refuses a cursor from another job's history", async () => {
      const userId = newUser();
      const [a, b] = [randomUUID(), randomUUID()];
      for (const n of [1, 2]) await prices.record(userId, priced(a, n), 3600);
      const page = await prices.list(userId, a, { limit: 1 });
      await expect(prices.list(userId, b, { limit: 1, cursor: page.nextCursor! })).rejects.toThrow(
        InvalidCursorError,
      );
    });

    it("deletes one job's points, or every point of the user, and nothing else", async () => {
      const userId = newUser();
      const other = newUser();
      const [a, b] = [randomUUID(), randomUUID()];
      const kept = newJob(userId);
      await jobs.create(kept);
      for (const n of [1, 2]) {
        await prices.record(userId, priced(a, n), 3600);
        await prices.record(userId, priced(b, n), 3600);
        await prices.record(other, priced(a, n), 3600);
      }
      await prices.deleteForJob(userId, a);
      expect((await prices.list(userId, a, { limit: 5 })).items).toEqual([]);
      expect((await prices.list(userId, b, { limit: 5 })).items).toHaveLength(2);

      await prices.deleteAll(userId);
      expect((await prices.list(userId, b, { limit: 5 })).items).toEqual([]);
      expect((await prices.list(other, a, { limit: 5 })).items).toHaveLength(2);
      expect(await jobs.get(userId, kept.jobId, true)).not.toBeNull();
    });
  });

  describe('OutboxRepository', () => {
    const alert = (id: string, createdAt: string): Notification => ({
      notificationId: id,
      jobId: 'j1',
      url: 'https://shop.example.com/p',
      price: '9.00',
      targetPrice: '10.00',
      currency: 'EUR',
      createdAt,
      channels: [],
    });

    it('stores an alert once, marks it delivered, and lists newest first', async () => {
      const userId = newUser();
      const older = alert('n1', '2026-01-01T00:00:00.000Z');
      const newer = alert('n2', '2026-01-02T00:00:00.000Z');
      const olderSk = notificationSk(older.createdAt, older.notificationId);
      const retryAt = Date.parse('2026-01-01T00:01:00.000Z');
      await outbox.put(userId, olderSk, older, retryAt);
      await outbox.put(userId, olderSk, { ...older, price: '1.00' }, retryAt + 1);
      await outbox.put(userId, notificationSk(newer.createdAt, newer.notificationId), newer, 0);

      // Undelivered: its first attempt is under way, the next one due at the lease's end.
      expect(await outbox.get(userId, olderSk)).toEqual({
        ...older,
        deliveryAttempts: 1,
        nextAttemptAt: '2026-01-01T00:01:00.000Z',
      });
      const at = new Date('2026-01-03T00:00:00.000Z');
      await outbox.markDelivered(userId, olderSk, ['outbox', 'webhook'], at);
      expect(await outbox.get(userId, olderSk)).toEqual({
        ...older,
        deliveryAttempts: 1,
        deliveredAt: at.toISOString(),
        channels: ['outbox', 'webhook'],
      });

      const page = await outbox.list(userId, { limit: 10 });
      expect(page.items.map((n) => n.notificationId)).toEqual(['n2', 'n1']);
      expect(page.items[0]).not.toHaveProperty('userId');
      expect((await outbox.list(newUser(), { limit: 10 })).items).toEqual([]);
    });

    it('does not create an entry when marking a missing one delivered', async () => {
      const userId = newUser();
      const sk = notificationSk('2026-01-01T00:00:00.000Z', 'missing');
      await expect(outbox.markDelivered(userId, sk, ['outbox'])).rejects.toThrow();
      expect(await outbox.get(userId, sk)).toBeNull();
    });
  });

  describe('ProfilesRepository', () => {
    it('reads an empty profile for a new user, then what was stored, and clears the webhook', async () => {
      const userId = newUser();
      expect(await profiles.get(userId)).toEqual({ userId, webhookUrl: undefined });
      await profiles.put({ userId, webhookUrl: 'https://hooks.example.com/a' });
      expect(await profiles.get(userId)).toEqual({
        userId,
        webhookUrl: 'https://hooks.example.com/a',
      });
      await profiles.put({ userId, webhookUrl: undefined });
      expect(await profiles.get(userId)).toEqual({ userId, webhookUrl: undefined });
      expect((await jobs.list(userId, { limit: 5 })).items).toEqual([]);
    });
  });
});
