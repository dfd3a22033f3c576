import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { AuthenticatedUser } from '@app/auth';
import {
  WEBHOOK_TEST_ERRORS,
  type UserProfile,
  type WebhookTest,
  type WebhookTestError,
} from '@app/jobs-domain';

export class UpdateMeDto {
  /**
   * Where price alerts are POSTed as JSON (Discord/Slack-compatible `content`/`text`); null removes it.
   * @example "https://hooks.example.com/pricewatch"
   */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(2048)
  webhookUrl?: string | null;
}

/** The latest test of the webhook: pending until the worker has POSTed it. Never the receiver's body. */
export class WebhookTestDto {
  /** @example "8f14e45f-ceea-467f-a0e6-2f2b7b1c3d4e" */
  id!: string;
  /** pending, then sent (2xx) or failed. */
  @ApiProperty({ enum: ['pending', 'sent', 'failed'], example: 'sent' })
  state!: 'pending' | 'sent' | 'failed';
  requestedAt!: string;
  finishedAt?: string;
  /** The receiver's HTTP status, when it answered. @example 204 */
  @ApiProperty({ type: 'integer', required: false, minimum: 100, maximum: 599 })
  httpStatus?: number;
  /** Why it failed (state failed). */
  @ApiProperty({ enum: WEBHOOK_TEST_ERRORS, required: false, example: 'http_status' })
  error?: WebhookTestError;

  static from(t: WebhookTest): WebhookTestDto {
    return {
      id: t.testId,
      state: t.state,
      requestedAt: t.requestedAt,
      finishedAt: t.finishedAt,
      httpStatus: t.httpStatus,
      error: t.error,
    };
  }
}

export class MeDto {
  id!: string;
  email!: string;
  webhookUrl?: string;
  /** The latest webhook test, while the webhook it tested is the saved one. */
  webhookTest?: WebhookTestDto;

  static from(user: AuthenticatedUser, profile: UserProfile): MeDto {
    return {
      id: user.id,
      email: user.email,
      webhookUrl: profile.webhookUrl,
      webhookTest: profile.webhookTest && WebhookTestDto.from(profile.webhookTest),
    };
  }
}
