import { Body, Controller, Get, Inject, Patch, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, JwtAuthGuard } from '@app/auth';
import {
  checkTrackableUrl,
  EGRESS_CONFIG,
  EgressAllowList,
  EgressConfig,
  InvalidJobInputError,
  ProfilesRepository,
} from '@app/jobs-domain';
import { ApiProblems, BODY_PROBLEMS } from '../problem-details.dto';
import { MeDto, UpdateMeDto } from './me.dto';

/** The caller's profile. It lives in DynamoDB beside the jobs, where the worker reads the webhook. */
@ApiTags('me')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiProblems(401, 503)
@UseGuards(JwtAuthGuard)
@Controller('me')
export class MeController {
  private readonly allow: EgressAllowList;

  constructor(
    private readonly profiles: ProfilesRepository,
    @Inject(EGRESS_CONFIG) egress: EgressConfig,
  ) {
    this.allow = egress.allowList;
  }

  @Get()
  @ApiOkResponse({ type: MeDto })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<MeDto> {
    const profile = await this.profiles.get(user.id);
    return { id: user.id, email: user.email, webhookUrl: profile.webhookUrl };
  }

  @Patch()
  @ApiOkResponse({ type: MeDto })
  @ApiProblems(...BODY_PROBLEMS, 403)
  async update(@CurrentUser() user: AuthenticatedUser, @Body() dto: UpdateMeDto): Promise<MeDto> {
    let webhookUrl: string | undefined;
    if (typeof dto.webhookUrl === 'string') {
      const verdict = checkTrackableUrl(dto.webhookUrl, this.allow);
      if (!verdict.ok)
        throw new InvalidJobInputError(verdict.reason.replace(/^url/, 'webhookUrl'), 'webhookUrl');
      webhookUrl = verdict.url.href;
    }
    const current = await this.profiles.get(user.id);
    const next = dto.webhookUrl === undefined ? current : { ...current, webhookUrl };
    await this.profiles.put(next);
    return { id: user.id, email: user.email, webhookUrl: next.webhookUrl };
  }
}
