import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  buildWebhookTestMessage,
  checkTrackableUrl,
  CheckQueue,
  EGRESS_CONFIG,
  EgressAllowList,
  EgressConfig,
  InvalidWebhookUrlError,
  ProfilesRepository,
  UserProfile,
  WebhookNotSetError,
  WebhookTest,
} from '@app/jobs-domain';
import { currentTraceCarrier, DependencyUnavailableError } from '@app/platform';
import { RateLimitedError } from '../auth/auth-throttler.guard';

export interface ProfilePatch {
  /** A new webhook; null removes it; undefined leaves it as it is. */
  webhookUrl?: string | null;
}

/** At most one webhook test per user in this window (stored on the profile, so across pods). */
export const WEBHOOK_TEST_MIN_INTERVAL_MS = 10_000;

/** The caller's profile, stored beside their jobs where the worker reads the webhook. */
@Injectable()
export class MeService {
  private readonly allow: EgressAllowList;

  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly queue: CheckQueue,
    @Inject(EGRESS_CONFIG) egress: EgressConfig,
  ) {
    this.allow = egress.allowList;
  }

  get(userId: string): Promise<UserProfile> {
    return this.profiles.get(userId);
  }

  /** A webhook must pass the same egress policy as a tracked page; a refused one changes nothing. */
  async update(userId: string, patch: ProfilePatch): Promise<UserProfile> {
    let webhookUrl: string | undefined;
    if (typeof patch.webhookUrl === 'string') {
      const verdict = checkTrackableUrl(patch.webhookUrl, this.allow, 'webhookUrl');
      if (!verdict.ok) throw new InvalidWebhookUrlError(verdict.reason);
      webhookUrl = verdict.url.href;
    }
    const current = await this.profiles.get(userId);
    // Saving the same URL again keeps its last test.
    if (patch.webhookUrl === undefined || webhookUrl === current.webhookUrl) return current;
    await this.profiles.setWebhook(userId, webhookUrl);
    return { userId, webhookUrl };
  }

  /**
   * Starts a test of the saved webhook: the gateway has no way out to the internet, so it records
   * a pending test on the profile and queues it for the worker, which POSTs through its egress
   * guard and records how it went. 409 without a webhook, 429 within 10 s of the last test.
   */
  async testWebhook(userId: string, now = new Date()): Promise<WebhookTest> {
    const started = await this.profiles.startWebhookTest(
      userId,
      { testId: randomUUID(), requestedAt: now.toISOString() },
      WEBHOOK_TEST_MIN_INTERVAL_MS,
    );
    if ('refused' in started) {
      if (started.refused === 'no_webhook') throw new WebhookNotSetError();
      throw new RateLimitedError(Math.max(1, Math.ceil((started.retryAt - now.getTime()) / 1000)));
    }
    try {
      await this.queue.sendMessage({
        message: buildWebhookTestMessage(userId, started.testId),
        trace: currentTraceCarrier(),
      });
    } catch (err) {
      // Not queued: say so on the profile (best effort) rather than leave it pending.
      await this.profiles
        .finishWebhookTest(userId, started.testId, { state: 'failed', error: 'not_queued' })
        .catch(() => false);
      throw new DependencyUnavailableError('sqs', err);
    }
    return started;
  }
}
