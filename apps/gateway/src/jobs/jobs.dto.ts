import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
} from 'class-validator';
import {
  CHECK_OUTCOMES,
  DECIMAL_PATTERN,
  decimalFromJsonNumber,
  MAX_JSON_NUMBER_DIGITS,
  JOB_STATUSES,
  SCHEDULABLE_STATUSES,
  type CheckOutcome,
  type CheckRecord,
  type JobStatus,
  type JobView,
  type Page,
  type PricePoint,
} from '@app/jobs-domain';
import { OptionalNotNull } from '@app/platform/http';

const DECIMAL_MESSAGE =
  'targetPrice must be a positive decimal such as "19.99" (a string, or a JSON number with at most 15 significant digits)';
const moneyMessage = ({ value }: { value: unknown }) =>
  typeof value === 'number'
    ? `targetPrice ${String(value)} cannot be read as an exact decimal (more than ${MAX_JSON_NUMBER_DIGITS} significant digits, or an exponent): send it as a string such as "19.99"`
    : DECIMAL_MESSAGE;
/** A JSON number becomes the decimal text it stands for, when that is exact (else it stays a number and fails). */
const moneyFromNumber = ({ value }: { value: unknown }) =>
  typeof value === 'number' ? (decimalFromJsonNumber(value) ?? value) : value;
/** The schema of a money input: a decimal string, or a JSON number read exactly. */
const MONEY_INPUT = {
  oneOf: [
    { type: 'string', pattern: DECIMAL_PATTERN.source },
    { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 999999999999999 },
  ],
  example: '199.99',
} as ApiPropertyOptions;

/**
 * Minutes with up to two decimals. Checked here rather than with IsNumber's maxDecimalPlaces,
 * which throws (a 500) on numbers whose text is in exponent form, such as -5e-324.
 */
function HasAtMostTwoDecimals(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'hasAtMostTwoDecimals',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'number' ||
          (Number.isFinite(value) && Math.round(value * 100) / 100 === value),
        defaultMessage: (args) => `${args?.property} must have at most 2 decimal places`,
      },
    });
}

export class CreateJobDto {
  /** The product page: http(s), no credentials, public host, at most 2048 characters. @example "https://shop.example.com/p/123" */
  @IsString()
  @MaxLength(2048)
  url!: string;

  /** Alert when the price is at or below this exact decimal. @example "199.99" */
  @ApiProperty({
    ...MONEY_INPUT,
    description: 'Alert when the price is at or below this exact decimal.',
  })
  @Transform(moneyFromNumber)
  @IsString({ message: moneyMessage })
  @Matches(DECIMAL_PATTERN, { message: DECIMAL_MESSAGE })
  targetPrice!: string;

  /** ISO 4217 code; defaults to the server's DEFAULT_CURRENCY. @example "EUR" */
  @OptionalNotNull()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string;

  /** A CSS selector for the price element, when automatic extraction picks the wrong one. @example "#price .amount" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(512)
  selector?: string;

  /** Minutes between checks (up to 2 decimals); at least MIN_CHECK_INTERVAL_MINUTES, at most 10080 (a week). @example 60 */
  @OptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostTwoDecimals()
  @IsPositive()
  @Max(10080)
  checkIntervalMinutes?: number;
}

export class UpdateJobDto {
  /** A new target; re-arms a notified job. @example "149.99" */
  @OptionalNotNull()
  @ApiPropertyOptional({ ...MONEY_INPUT, description: 'A new target; re-arms a notified job.' })
  @Transform(moneyFromNumber)
  @IsString({ message: moneyMessage })
  @Matches(DECIMAL_PATTERN, { message: DECIMAL_MESSAGE })
  targetPrice?: string;

  /** @example 120 */
  @OptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostTwoDecimals()
  @IsPositive()
  @Max(10080)
  checkIntervalMinutes?: number;

  /** true pauses checking; false resumes a paused or failed job. @example true */
  @OptionalNotNull()
  @IsBoolean()
  paused?: boolean;
}

export class PageQueryDto {
  /** Page size, 1 to 100; 20 when omitted. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** The nextCursor of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

/**
 * A page of a list (the answer to a PageQueryDto): each list names its items (jobs, points,
 * checks, notifications) beside this one cursor.
 */
export abstract class CursorPageDto {
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor!: string | null;
}

export class ListJobsQueryDto extends PageQueryDto {
  /** Only jobs in this status. */
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;
}

export class PriceCandidateDto {
  /** @example "24.99" */
  price!: string;
  /** @example "USD" */
  currency!: string | null;
  /** @example "jsonld" */
  source!: string;
}

/** Where each field of the check was read, to trace a wrong price. */
export class FieldSourcesDto {
  /** @example "jsonld" */
  price?: string | null;
  currency?: string | null;
  availability?: string | null;
  title?: string | null;
  /** Why this price was taken when the page's sources disagreed. */
  note?: string | null;
}

const CHECK_UNDER_WAY: readonly JobStatus[] = ['queued', 'processing'];

function nextCheckAt(job: JobView): string | undefined {
  if (job.nextCheckAt === undefined || !SCHEDULABLE_STATUSES.includes(job.status)) return undefined;
  if (CHECK_UNDER_WAY.includes(job.status)) {
    return new Date(Math.min(job.nextCheckAt, Date.parse(job.updatedAt))).toISOString();
  }
  return new Date(job.nextCheckAt).toISOString();
}

export class JobDto {
  /** @example "5d0f4f0e-8f1b-4a5e-a0a4-3f5b7d2c9e10" */
  id!: string;
  /** @example "https://shop.example.com/p/123" */
  url!: string;
  /** @example "199.99" */
  targetPrice!: string;
  /** @example "EUR" */
  currency!: string;
  selector?: string;
  /** @example 60 */
  checkIntervalMinutes!: number;
  /** pending → processing → active ⇄ queued; notified, failed, paused. */
  @IsIn(JOB_STATUSES)
  status!: JobStatus;
  createdAt!: string;
  updatedAt!: string;
  /**
   * When the job is next due for a check (ISO 8601), while it is scheduled. While a check is under
   * way (queued, processing, as right after creation) it is when that check was started, never a
   * time ahead: the internal lease that guards the check is not a schedule.
   */
  nextCheckAt?: string;
  /** The product title seen on the last successful check. */
  title?: string;
  /** Last observed price, exact decimal. @example "219.00" */
  lastPrice?: string;
  lastCurrency?: string;
  lastCheckedAt?: string;
  @IsIn(CHECK_OUTCOMES)
  lastOutcome?: CheckOutcome;
  /** Where the last price came from (jsonld, microdata, profile:amazon, selector, ...). */
  lastSource?: string;
  /** @example 0 */
  consecutiveFailures!: number;
  /** Why the job failed, when status is failed. */
  failureReason?: string;
  notifiedAt?: string;
  /** The prices the page stated on the last check when they disagreed (lastOutcome price_uncertain). */
  priceCandidates?: PriceCandidateDto[];

  static from(job: JobView): JobDto {
    return {
      id: job.jobId,
      url: job.url,
      targetPrice: job.targetPrice,
      currency: job.currency,
      selector: job.selector,
      checkIntervalMinutes: job.checkIntervalMinutes,
      status: job.status,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      nextCheckAt: nextCheckAt(job),
      title: job.title,
      lastPrice: job.lastPrice,
      lastCurrency: job.lastCurrency,
      lastCheckedAt: job.lastCheckedAt,
      lastOutcome: job.lastOutcome,
      lastSource: job.lastSource,
      consecutiveFailures: job.consecutiveFailures,
      failureReason: job.failureReason,
      notifiedAt: job.notifiedAt,
      priceCandidates: job.priceCandidates?.map((c) => ({
        price: c.price,
        currency: c.currency,
        source: c.source,
      })),
    };
  }
}

export class JobListDto extends CursorPageDto {
  jobs!: JobDto[];

  static from(page: Page<JobView>): JobListDto {
    return { jobs: page.items.map(JobDto.from), nextCursor: page.nextCursor };
  }
}

export class PricePointDto {
  id!: string;
  /** @example "219.00" */
  price!: string;
  /** @example "EUR" */
  currency!: string;
  checkedAt!: string;
  /** @example "jsonld" */
  source!: string;
  sources?: FieldSourcesDto;

  static from(p: PricePoint): PricePointDto {
    return {
      id: p.pointId,
      price: p.price,
      currency: p.currency,
      checkedAt: p.checkedAt,
      source: p.source,
      sources: p.sources,
    };
  }
}

export class PriceHistoryDto extends CursorPageDto {
  points!: PricePointDto[];

  static from(page: Page<PricePoint>): PriceHistoryDto {
    return { points: page.items.map(PricePointDto.from), nextCursor: page.nextCursor };
  }
}

/** One check of a job, whatever its outcome. */
export class CheckDto {
  id!: string;
  checkedAt!: string;
  /** The result: ok, or the failure's reason code. */
  @IsIn(CHECK_OUTCOMES)
  outcome!: CheckOutcome;
  /** The price found, exact decimal; only on an ok check. @example "219.00" */
  price?: string;
  /** @example "EUR" */
  currency?: string;
  /** Where the price was read. @example "jsonld" */
  source?: string;
  sources?: FieldSourcesDto;
  /** schema.org availability as the page stated it. @example "InStock" */
  availability?: string;
  /** Why the check failed, in words, when it did. */
  reason?: string;
  /** From the claim to the outcome, in milliseconds. @example 412 */
  durationMs?: number;

  static from(r: CheckRecord): CheckDto {
    return {
      id: r.checkId,
      checkedAt: r.checkedAt,
      outcome: r.outcome,
      price: r.price,
      currency: r.currency,
      source: r.source,
      sources: r.sources,
      availability: r.availability,
      reason: r.reason,
      durationMs: r.durationMs,
    };
  }
}

export class CheckListDto extends CursorPageDto {
  checks!: CheckDto[];

  static from(page: Page<CheckRecord>): CheckListDto {
    return { checks: page.items.map(CheckDto.from), nextCursor: page.nextCursor };
  }
}
