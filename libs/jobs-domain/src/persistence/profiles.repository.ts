import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { UserProfile, WEBHOOK_TEST_ERRORS, WebhookTest, WebhookTestError } from '../domain/job';
import { JobsTable, stripUndefined } from './jobs-table';
import { PROFILE_SK, userPk } from './keys';

/** What the worker records when a webhook test ends. */
export type WebhookTestResult =
  | { state: 'sent'; httpStatus: number }
  | { state: 'failed'; error: WebhookTestError; httpStatus?: number };

/** Why a webhook test was not started. */
export type WebhookTestRefusal =
  { refused: 'no_webhook' } | { refused: 'too_soon'; retryAt: number };

function readTest(value: unknown): WebhookTest | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const t = value as Record<string, unknown>;
  if (typeof t.testId !== 'string' || typeof t.requestedAt !== 'string') return undefined;
  const state = t.state === 'sent' || t.state === 'failed' ? t.state : 'pending';
  return stripUndefined({
    testId: t.testId,
    requestedAt: t.requestedAt,
    state,
    finishedAt: typeof t.finishedAt === 'string' ? t.finishedAt : undefined,
    httpStatus: typeof t.httpStatus === 'number' ? t.httpStatus : undefined,
    error: (WEBHOOK_TEST_ERRORS as readonly unknown[]).includes(t.error)
      ? (t.error as WebhookTestError)
      : undefined,
  }) as WebhookTest;
}

/**
 * The user's profile item, beside their jobs, where the worker reads the webhook. Its attributes
 * are written one by one (UpdateItem), so the gateway saving a webhook and the worker recording a
 * test's outcome never overwrite each other.
 */
@Injectable()
export class ProfilesRepository extends JobsTable {
  private key(userId: string) {
    return { pk: userPk(userId), sk: PROFILE_SK };
  }

  /** The stored profile, or an empty one for a user who never set anything. */
  async get(userId: string): Promise<UserProfile> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: this.key(userId), ConsistentRead: true }),
    );
    return stripUndefined({
      userId,
      webhookUrl: (out.Item?.webhookUrl as string | undefined) ?? undefined,
      webhookTest: readTest(out.Item?.webhookTest),
    }) as UserProfile;
  }

  async put(profile: UserProfile): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...this.key(profile.userId),
          entity: 'PROFILE',
          ...stripUndefined({ ...profile }),
        },
      }),
    );
  }

  /**
   * Saves the webhook (undefined removes it). A test of the previous URL says nothing about the new
   * one, so the last test goes with it, and a test still queued for it is not sent.
   */
  async setWebhook(userId: string, webhookUrl: string | undefined): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(userId),
        UpdateExpression:
          webhookUrl === undefined
            ? 'SET #entity = :entity REMOVE webhookUrl, webhookTest'
            : 'SET #entity = :entity, webhookUrl = :url REMOVE webhookTest',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: {
          ':entity': 'PROFILE',
          ...(webhookUrl === undefined ? {} : { ':url': webhookUrl }),
        },
      }),
    );
  }

  /**
   * Records a new pending test, unless no webhook is saved or the last test was asked for less than
   * `minIntervalMs` ago (one conditional write, so concurrent requests start one test).
   */
  async startWebhookTest(
    userId: string,
    test: Pick<WebhookTest, 'testId' | 'requestedAt'>,
    minIntervalMs: number,
  ): Promise<WebhookTest | WebhookTestRefusal> {
    const pending: WebhookTest = { ...test, state: 'pending' };
    const cutoff = new Date(Date.parse(test.requestedAt) - minIntervalMs).toISOString();
    const started = await this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(userId),
          UpdateExpression: 'SET webhookTest = :test',
          ConditionExpression:
            'attribute_exists(webhookUrl) AND (attribute_not_exists(webhookTest) OR webhookTest.requestedAt <= :cutoff)',
          ExpressionAttributeValues: { ':test': pending, ':cutoff': cutoff },
        }),
      ),
    );
    if (started) return pending;
    const current = await this.get(userId);
    if (!current.webhookUrl) return { refused: 'no_webhook' };
    const last = current.webhookTest ? Date.parse(current.webhookTest.requestedAt) : NaN;
    return {
      refused: 'too_soon',
      retryAt: Number.isNaN(last) ? Date.now() + minIntervalMs : last + minIntervalMs,
    };
  }

  /**
   * Records how test `testId` ended, only while the profile still waits for that test (not
   * replaced by a newer one, not cleared by a new URL, not already recorded). False otherwise.
   */
  async finishWebhookTest(
    userId: string,
    testId: string,
    result: WebhookTestResult,
    finishedAt: string = new Date().toISOString(),
  ): Promise<boolean> {
    const current = await this.get(userId);
    const test = current.webhookTest;
    if (!test || test.testId !== testId || test.state !== 'pending') return false;
    const finished: WebhookTest = stripUndefined({
      testId,
      requestedAt: test.requestedAt,
      finishedAt,
      ...result,
    }) as WebhookTest;
    return this.conditionalWrite(() =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(userId),
          UpdateExpression: 'SET webhookTest = :finished',
          ConditionExpression: 'webhookTest.testId = :id AND webhookTest.#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':finished': finished,
            ':id': testId,
            ':pending': 'pending',
          },
        }),
      ),
    );
  }
}
