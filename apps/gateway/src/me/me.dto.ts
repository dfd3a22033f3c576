import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { AuthenticatedUser } from '@app/auth';
import type { UserProfile } from '@app/jobs-domain';

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

export class MeDto {
  id!: string;
  email!: string;
  webhookUrl?: string;

  static from(user: AuthenticatedUser, profile: UserProfile): MeDto {
    return { id: user.id, email: user.email, webhookUrl: profile.webhookUrl };
  }
}
