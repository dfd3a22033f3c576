import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '@app/auth';
import { JobNotFoundError } from '@app/jobs-domain';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiProblems, BODY_PROBLEMS } from '../problem-details.dto';
import {
  CheckListDto,
  CreateJobDto,
  JobDto,
  JobListDto,
  ListJobsQueryDto,
  PageQueryDto,
  PriceHistoryDto,
  UpdateJobDto,
} from './jobs.dto';
import { JobsService } from './jobs.service';

/** A malformed id cannot name a job: answer as for any unknown job. */
const idPipe = new ParseUUIDPipe({ version: '4', exceptionFactory: () => new JobNotFoundError() });

@ApiTags('jobs')
@Authenticated()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobDto, description: 'Stored; the first check is under way' })
  @ApiProblems(...BODY_PROBLEMS, 403)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateJobDto): Promise<JobDto> {
    return JobDto.from(await this.jobs.create(user.id, dto));
  }

  @Get()
  @ApiOkResponse({ type: JobListDto })
  @ApiProblems([400, 'Bad limit, status or cursor (VALIDATION_FAILED, INVALID_CURSOR)'])
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() q: ListJobsQueryDto,
  ): Promise<JobListDto> {
    return JobListDto.from(await this.jobs.list(user.id, q.limit, q.cursor, q.status));
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every job of the caller (and its history) is deleted' })
  @ApiProblems(403)
  async deleteAll(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.jobs.deleteAll(user.id);
  }

  @Get(':id')
  @ApiOkResponse({ type: JobDto })
  @ApiProblems(404)
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
  ): Promise<JobDto> {
    return JobDto.from(await this.jobs.get(user.id, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: JobDto })
  @ApiProblems(...BODY_PROBLEMS, 403, 404, [409, 'The job kept changing; retry (JOB_CONFLICT)'])
  async update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
    @Body() dto: UpdateJobDto,
  ): Promise<JobDto> {
    return JobDto.from(await this.jobs.update(user.id, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(403, 404)
  async delete(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
  ): Promise<void> {
    await this.jobs.delete(user.id, id);
  }

  @Get(':id/history')
  @ApiOkResponse({
    type: PriceHistoryDto,
    description: 'Price points (the checks that found a price), newest first',
  })
  @ApiProblems([400, 'Bad limit or cursor (VALIDATION_FAILED, INVALID_CURSOR)'], 404)
  async history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
    @Query() q: PageQueryDto,
  ): Promise<PriceHistoryDto> {
    return PriceHistoryDto.from(await this.jobs.history(user.id, id, q.limit, q.cursor));
  }

  @Get(':id/checks')
  @ApiOkResponse({
    type: CheckListDto,
    description: 'Every check, whatever its outcome, newest first',
  })
  @ApiProblems([400, 'Bad limit or cursor (VALIDATION_FAILED, INVALID_CURSOR)'], 404)
  async checks(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
    @Query() q: PageQueryDto,
  ): Promise<CheckListDto> {
    return CheckListDto.from(await this.jobs.checks(user.id, id, q.limit, q.cursor));
  }
}
