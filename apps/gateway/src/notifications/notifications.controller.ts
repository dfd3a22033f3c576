import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, JwtAuthGuard } from '@app/auth';
import { OutboxRepository } from '@app/jobs-domain';
import { ApiProblems } from '../problem-details.dto';
import { PageQueryDto } from '../jobs/jobs.dto';
import { NotificationListDto } from './notifications.dto';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiProblems(401, 503)
@UseGuards(JwtAuthGuard)
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly outbox: OutboxRepository) {}

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
    const page = await this.outbox.list(user.id, { limit: q.limit, cursor: q.cursor });
    return {
      notifications: page.items.map((n) => ({
        id: n.notificationId,
        jobId: n.jobId,
        url: n.url,
        title: n.title,
        price: n.price,
        targetPrice: n.targetPrice,
        currency: n.currency,
        createdAt: n.createdAt,
        deliveredAt: n.deliveredAt,
        channels: n.channels ?? [],
      })),
      nextCursor: page.nextCursor,
    };
  }
}
