import { toApiError } from './api-error';

describe('toApiError', () => {
  it('reads RFC 9457 problem details with field errors', () => {
    const e = toApiError(400, {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request has invalid fields',
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'targetPrice', code: 'matches', message: 'targetPrice must be a decimal' },
        { field: 'url', code: 'isString', message: 'url must be a string' },
      ],
    });
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION_FAILED');
    // Shown under the field's label, so the field's code name is not repeated.
    expect(e.fields).toEqual({
      targetPrice: ['Must be a decimal'],
      url: ['Must be a string'],
    });
    expect(e.split(['targetPrice'])).toEqual({
      fields: { targetPrice: ['Must be a decimal'] },
      form: ['url: Must be a string'],
    });
  });

  it('reads the older shape, giving each message to the field it starts with', () => {
    const e = toApiError(400, {
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'targetPrice must be a positive decimal string such as "19.99"',
        'checkIntervalMinutes must not be greater than 10080',
      ],
    });
    expect(e.fields).toEqual({
      targetPrice: ['Must be a positive decimal string such as "19.99"'],
      checkIntervalMinutes: ['Must not be greater than 10080'],
    });
  });

  it('keeps a single message without a field for the whole form', () => {
    const e = toApiError(409, { statusCode: 409, message: 'The e-mail is already registered' });
    expect(e.split(['email'])).toEqual({ fields: {}, form: ['The e-mail is already registered'] });
  });

  it('falls back to words for the status when the body is not JSON', () => {
    expect(toApiError(429, undefined).message).toMatch(/Too many attempts/);
    expect(toApiError(502, 'oops').message).toBe('Something went wrong (HTTP 502).');
  });

  it('quotes the error id of a 500 so the user can report it', () => {
    expect(toApiError(500, { message: 'Internal server error', errorId: 'abc' }).message).toBe(
      'Internal server error (error id abc)',
    );
  });

  it('ignores junk in errors[] rather than showing it', () => {
    const e = toApiError(400, { errors: [null, 5, { field: 'url' }, { message: 7 }] });
    expect(e.fields).toEqual({});
  });
});
