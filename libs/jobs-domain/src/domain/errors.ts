import { DomainError } from '@app/platform';

export class JobNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'JOB_NOT_FOUND';
  constructor() {
    super('Job not found');
  }
}

export class JobConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'JOB_CONFLICT';
  constructor(message = 'The job changed while it was being updated; retry') {
    super(message);
  }
}

export class InvalidCursorError extends DomainError {
  readonly status = 400;
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('cursor is not valid for this listing');
  }
}

export class InvalidJobInputError extends DomainError {
  readonly status = 400;
  readonly code = 'INVALID_JOB';
}
