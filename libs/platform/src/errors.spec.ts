import { BadRequestException, Logger } from '@nestjs/common';
import { AllExceptionsFilter, DependencyUnavailableError, DomainError } from './errors';

class TeapotError extends DomainError {
  readonly status = 418;
  readonly code = 'TEAPOT';
}

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  it('turns an unexpected error into a 500 with an errorId and nothing of the error itself', () => {
    const err = new Error('SELECT * FROM users failed at db.internal:5432');
    const body = filter.toBody(err);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
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

  it('keeps validation messages, naming the field', () => {
    expect(filter.toBody(new BadRequestException(['targetPrice must be a decimal']))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['targetPrice must be a decimal'],
    });
  });

  it('maps domain errors by their status and code', () => {
    expect(filter.toBody(new TeapotError('short and stout'))).toMatchObject({
      statusCode: 418,
      code: 'TEAPOT',
      message: 'short and stout',
    });
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
      expect(body.statusCode).toBe(503);
      expect(JSON.stringify(body)).not.toMatch(/arn:aws|10\.0\.0\.5/);
    }
  });
});
