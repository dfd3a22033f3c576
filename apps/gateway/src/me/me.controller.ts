import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '@app/auth';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiProblems, BODY_PROBLEMS } from '../problem-details.dto';
import { MeDto, UpdateMeDto, WebhookTestDto } from './me.dto';
import { MeService } from './me.service';

/** The caller's profile. It lives in DynamoDB beside the jobs, where the worker reads the webhook. */
@ApiTags('me')
@Authenticated()
@Controller('me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<MeDto> {
    return MeDto.from(user, await this.me.get(user.id));
  }

  @Patch()
  @ApiOkResponse({ type: MeDto })
  @ApiProblems(...BODY_PROBLEMS, 403)
  async update(@CurrentUser() user: AuthenticatedUser, @Body() dto: UpdateMeDto): Promise<MeDto> {
    return MeDto.from(user, await this.me.update(user.id, dto));
  }

  /**
   * POSTs a test payload (`pricewatch.test: true`) to the saved webhook, from the worker. Poll
   * `GET /me` for `webhookTest` to see whether it was sent.
   */
  @Post('webhook/test')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: WebhookTestDto,
    description: 'Queued; pending until the worker sends it',
  })
  @ApiProblems(
    403,
    [409, 'No webhook is saved (WEBHOOK_NOT_SET)'],
    [429, 'A test was asked for less than 10 s ago; see Retry-After (RATE_LIMITED)'],
  )
  async testWebhook(@CurrentUser() user: AuthenticatedUser): Promise<WebhookTestDto> {
    return WebhookTestDto.from(await this.me.testWebhook(user.id));
  }
}
