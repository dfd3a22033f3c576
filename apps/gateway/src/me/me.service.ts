import { Inject, Injectable } from '@nestjs/common';
import {
  checkTrackableUrl,
  EGRESS_CONFIG,
  EgressAllowList,
  EgressConfig,
  InvalidWebhookUrlError,
  ProfilesRepository,
  UserProfile,
} from '@app/jobs-domain';

export interface ProfilePatch {
  /** A new webhook; null removes it; undefined leaves it as it is. */
  webhookUrl?: string | null;
}

/** The caller's profile, stored beside their jobs where the worker reads the webhook. */
@Injectable()
export class MeService {
  private readonly allow: EgressAllowList;

  constructor(
    private readonly profiles: ProfilesRepository,
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
    if (patch.webhookUrl === undefined) return current;
    const next = { ...current, webhookUrl };
    await this.profiles.put(next);
    return next;
  }
}
