import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '@app/auth';
import { Authenticated } from '../auth/authenticated.decorator';
import { PageQueryDto } from '../jobs/jobs.dto';
import { ApiProblems } from '../problem-details.dto';
import { NotificationListDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@Authenticated()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({
    type: NotificationListDto,
    description: 'The outbox of price alerts, newest first',
  })
  @ApiProblems([400, 'Bad limit or cursor (VALIDATION_FAILED, INVALID_CURSOR)'])
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() q: PageQueryDto,
  ): Promise<NotificationListDto> {
    return NotificationListDto.from(await this.notifications.list(user.id, q.limit, q.cursor));
  }
}
