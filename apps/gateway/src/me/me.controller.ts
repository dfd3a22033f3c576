import { Body, Controller, Get, Inject, Patch, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, JwtAuthGuard } from '@app/auth';
import {
  checkTrackableUrl,
  EgressAllowList,
  InvalidJobInputError,
  ProfilesRepository,
} from '@app/jobs-domain';
import { ErrorResponseDto } from '../error-response.dto';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { MeDto, UpdateMeDto } from './me.dto';

/** The caller's profile. It lives in DynamoDB beside the jobs, where the worker reads the webhook. */
@ApiTags('me')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto })
@UseGuards(JwtAuthGuard)
@Controller('me')
export class MeController {
  private readonly allow: EgressAllowList;

  constructor(
    private readonly profiles: ProfilesRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.allow = EgressAllowList.fromEnv(config.EGRESS_ALLOW_HOSTS);
  }

  @Get()
  @ApiOkResponse({ type: MeDto })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<MeDto> {
    const profile = await this.profiles.get(user.id);
    return { id: user.id, email: user.email, webhookUrl: profile.webhookUrl };
  }

  @Patch()
  @ApiOkResponse({ type: MeDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'A webhook URL the egress policy refuses',
  })
  async update(@CurrentUser() user: AuthenticatedUser, @Body() dto: UpdateMeDto): Promise<MeDto> {
    let webhookUrl: string | undefined;
    if (typeof dto.webhookUrl === 'string') {
      const verdict = checkTrackableUrl(dto.webhookUrl, this.allow);
      if (!verdict.ok) throw new InvalidJobInputError(verdict.reason.replace(/^url/, 'webhookUrl'));
      webhookUrl = verdict.url.href;
    }
    const current = await this.profiles.get(user.id);
    const next = dto.webhookUrl === undefined ? current : { ...current, webhookUrl };
    await this.profiles.put(next);
    return { id: user.id, email: user.email, webhookUrl: next.webhookUrl };
  }
}
