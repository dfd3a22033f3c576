import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import {
  AllExceptionsFilter,
  DependencyUnavailableError,
  DomainError,
  ErrorCode,
  registerRouteMethods,
  ValidationFailedError,
} from './errors';

class TakenError extends DomainError {
  readonly status = 409;
  readonly code = ErrorCode.EMAIL_TAKEN;
}

const CODES = new Set<string>(Object.values(ErrorCode));

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  it('turns an unexpected error into a 500 problem with an errorId and nothing of the error itself', () => {
    const err = new Error('SELECT * FROM users failed at db.internal:5432');
    const body = filter.toBody(err);
    expect(body).toEqual({
      type: 'urn:pricewatch:problem:internal-error',
      title: 'Internal server error',
      status: 500,
      detail: expect.stringContaining(body.errorId!),
      code: 'INTERNAL_ERROR',
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/SELECT|db\.internal|at /);
  });

  it('logs the errorId it returns', () => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const body = filter.toBody(new Error('boom'));
    expect(spy).toHaveBeenCalledWith(
      expect.objectContaining({ errorId: body.errorId }),
      'unhandled error',
    );
  });

  it('lists validation failures per field with a code from the enum', () => {
    const body = filter.toBody(
      new ValidationFailedError([
        {
          field: 'targetPrice',
          code: ErrorCode.FIELD_INVALID_FORMAT,
          message: 'targetPrice must be a decimal',
        },
      ]),
    );
    expect(body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'targetPrice must be a decimal',
      errors: [{ field: 'targetPrice', code: 'FIELD_INVALID_FORMAT' }],
    });
  });

  it('maps domain errors by their status and code', () => {
    expect(filter.toBody(new TakenError('already there'))).toMatchObject({
      status: 409,
      code: 'EMAIL_TAKEN',
      detail: 'already there',
      type: 'urn:pricewatch:problem:email-taken',
    });
  });

  it('gives HTTP exceptions from Nest and its modules a code from their status', () => {
    for (const [err, status, code] of [
      [new BadRequestException(['a is bad', 'b is bad']), 400, 'MALFORMED_REQUEST'],
      [new ThrottlerException(), 429, 'RATE_LIMITED'],
      [
        Object.assign(new Error('FST_ERR_CTP_INVALID_MEDIA_TYPE'), { statusCode: 415 }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [Object.assign(new Error('too large'), { statusCode: 413 }), 413, 'BODY_TOO_LARGE'],
    ] as const) {
      const body = filter.toBody(err);
      expect(body).toMatchObject({ status, code });
      expect(CODES.has(body.code)).toBe(true);
    }
  });

  it('answers 405 with Allow for a known path asked with another method, 404 otherwise', () => {
    const server = {};
    registerRouteMethods(server, {
      allowedMethods: (path) => (path === '/api/v1/me' ? ['GET', 'HEAD', 'PATCH'] : []),
    });
    const miss = new NotFoundException('Cannot PUT /api/v1/me');
    const known = filter.toResponse(miss, { method: 'put', url: '/api/v1/me?x=1', server });
    expect(known.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(known.headers).toEqual({ allow: 'GET, HEAD, PATCH' });
    const unknown = filter.toResponse(miss, { method: 'GET', url: '/nowhere', server });
    expect(unknown.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(unknown.body.detail).not.toContain('/nowhere');
  });

  it('answers 503 for unreachable dependencies and AWS throttling, without their messages', () => {
    const throttled = Object.assign(new Error('Rate exceeded for table arn:aws:...'), {
      $metadata: {},
      $retryable: { throttling: true },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
    });
    for (const err of [throttled, refused, new DependencyUnavailableError('database')]) {
      const body = filter.toBody(err);
      expect(body).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
      expect(JSON.stringify(body)).not.toMatch(/arn:aws|10\.0\.0\.5/);
    }
  });
});
