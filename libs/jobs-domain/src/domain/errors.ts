import { DomainError, ErrorCode } from '@app/platform';

export class JobNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = ErrorCode.JOB_NOT_FOUND;
  constructor() {
    super('Job not found');
  }
}

export class JobConflictError extends DomainError {
  readonly status = 409;
  readonly code = ErrorCode.JOB_CONFLICT;
  constructor(message = 'The job changed while it was being updated; retry') {
    super(message);
  }
}

export class InvalidCursorError extends DomainError {
  readonly status = 400;
  readonly code = ErrorCode.INVALID_CURSOR;
  constructor() {
    super('cursor is not valid for this listing');
  }
}

export class InvalidJobInputError extends DomainError {
  readonly status = 400;
  readonly code = ErrorCode.INVALID_JOB;
  /** `field`, when given, names the input at fault, so the response lists it in `errors`. */
  constructor(message: string, field?: string) {
    super(message);
    if (field) this.errors = [{ field, code: ErrorCode.FIELD_NOT_ALLOWED_VALUE, message }];
  }
}

/** A webhook URL the egress policy refuses (the same rules as a tracked page's URL). */
export class InvalidWebhookUrlError extends DomainError {
  readonly status = 400;
  readonly code = ErrorCode.INVALID_WEBHOOK_URL;
  constructor(message: string) {
    super(message);
    this.errors = [{ field: 'webhookUrl', code: ErrorCode.FIELD_NOT_ALLOWED_VALUE, message }];
  }
}

/** A webhook test asked for while no webhook is saved. */
export class WebhookNotSetError extends DomainError {
  readonly status = 409;
  readonly code = ErrorCode.WEBHOOK_NOT_SET;
  constructor() {
    super('Save a webhook URL before sending a test');
  }
}
