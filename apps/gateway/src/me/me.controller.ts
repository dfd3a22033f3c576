import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '@app/auth';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiProblems, BODY_PROBLEMS } from '../problem-details.dto';
import { MeDto, UpdateMeDto } from './me.dto';
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
}
