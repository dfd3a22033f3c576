/**
 * The contract of a message on the `checks` queue. It carries ids only: the worker reads the job
 * from DynamoDB, so an edit made while the message waits is honoured. Trace context travels in the
 * message attributes (W3C `traceparent` / `tracestate`), not in the body.
 */
export const CHECK_MESSAGE_VERSION = 1;

export interface CheckMessage {
  v: typeof CHECK_MESSAGE_VERSION;
  userId: string;
  jobId: string;
}

const ID = /^[A-Za-z0-9-]{1,64}$/;

export class MalformedCheckMessageError extends Error {
  override readonly name = 'MalformedCheckMessageError';
}

export function buildCheckMessage(userId: string, jobId: string): CheckMessage {
  return { v: CHECK_MESSAGE_VERSION, userId, jobId };
}

/** Parses an untrusted queue body; throws MalformedCheckMessageError for anything else. */
export function parseCheckMessage(body: string | undefined): CheckMessage {
  if (typeof body !== 'string' || body.length > 4096) {
    throw new MalformedCheckMessageError('body missing or too long');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedCheckMessageError('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedCheckMessageError('body is not an object');
  }
  const { v, userId, jobId } = value as Record<string, unknown>;
  if (v !== CHECK_MESSAGE_VERSION)
    throw new MalformedCheckMessageError(`unsupported version ${String(v)}`);
  if (typeof userId !== 'string' || !ID.test(userId))
    throw new MalformedCheckMessageError('bad userId');
  if (typeof jobId !== 'string' || !ID.test(jobId))
    throw new MalformedCheckMessageError('bad jobId');
  return { v, userId, jobId };
}
