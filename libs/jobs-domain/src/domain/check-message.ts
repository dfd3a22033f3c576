/**
 * The contract of a message on the `checks` queue: a union discriminated by `kind`. Every kind
 * carries ids only (the worker reads what it needs from DynamoDB, so an edit made while the message
 * waits is honoured). Trace context travels in the message attributes (W3C `traceparent` /
 * `tracestate`), not in the body.
 *
 * Version 1 bodies written before kinds existed (`{ v, userId, jobId }`) still parse, as checks.
 * Parsing is strict: a body with a field its kind does not name is refused, so adding a field to a
 * kind means deploying the workers that read it before anything sends it.
 */
export const CHECK_MESSAGE_VERSION = 1;

/** Check one job's page now. */
export interface CheckMessage {
  v: typeof CHECK_MESSAGE_VERSION;
  kind: 'check';
  userId: string;
  jobId: string;
}

/** POST a test payload to the user's saved webhook and record the outcome on their profile. */
export interface WebhookTestMessage {
  v: typeof CHECK_MESSAGE_VERSION;
  kind: 'webhook_test';
  userId: string;
  /** Names the test the profile waits for; a test the profile no longer names is not sent. */
  testId: string;
}

/**
 * Deliver an alert already stored in the outbox (the rescheduler's redrive of an alert whose
 * delivery failed). The entry is read from the table; a message for an entry that is missing,
 * delivered or given up is acknowledged and dropped.
 */
export interface DeliverMessage {
  v: typeof CHECK_MESSAGE_VERSION;
  kind: 'deliver';
  userId: string;
  /** With `notificationId`, the outbox entry's key (keys.ts `notificationSk`). */
  createdAt: string;
  notificationId: string;
}

export type QueueMessage = CheckMessage | WebhookTestMessage | DeliverMessage;
export type QueueMessageKind = QueueMessage['kind'];

const ID = /^[A-Za-z0-9-]{1,64}$/;
/** `Date.prototype.toISOString()` output, the form of every stored timestamp. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_BODY = 4096;

export class MalformedCheckMessageError extends Error {
  override readonly name = 'MalformedCheckMessageError';
}

export function buildCheckMessage(userId: string, jobId: string): CheckMessage {
  return { v: CHECK_MESSAGE_VERSION, kind: 'check', userId, jobId };
}

export function buildWebhookTestMessage(userId: string, testId: string): WebhookTestMessage {
  return { v: CHECK_MESSAGE_VERSION, kind: 'webhook_test', userId, testId };
}

export function buildDeliverMessage(
  userId: string,
  createdAt: string,
  notificationId: string,
): DeliverMessage {
  return { v: CHECK_MESSAGE_VERSION, kind: 'deliver', userId, createdAt, notificationId };
}

/** The fields each kind carries besides `v` and `kind`, each a string matching its rule. */
const FIELDS: Record<QueueMessageKind, Readonly<Record<string, RegExp>>> = {
  check: { userId: ID, jobId: ID },
  webhook_test: { userId: ID, testId: ID },
  deliver: { userId: ID, createdAt: ISO_INSTANT, notificationId: ID },
};

function isKind(kind: unknown): kind is QueueMessageKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(FIELDS, kind);
}

/** Parses an untrusted queue body; throws MalformedCheckMessageError for anything else. */
export function parseQueueMessage(body: string | undefined): QueueMessage {
  if (typeof body !== 'string' || body.length > MAX_BODY) {
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
  const record = value as Record<string, unknown>;
  if (record.v !== CHECK_MESSAGE_VERSION)
    throw new MalformedCheckMessageError(`unsupported version ${String(record.v).slice(0, 20)}`);
  // A v1 body without a kind is a check (written before kinds existed).
  const kind = Object.prototype.hasOwnProperty.call(record, 'kind') ? record.kind : 'check';
  if (!isKind(kind)) throw new MalformedCheckMessageError('unknown kind');
  const fields = FIELDS[kind];
  for (const key of Object.keys(record)) {
    if (key !== 'v' && key !== 'kind' && !Object.prototype.hasOwnProperty.call(fields, key))
      throw new MalformedCheckMessageError(`unexpected field in a ${kind} message`);
  }
  const ids: Record<string, string> = {};
  for (const [field, rule] of Object.entries(fields)) {
    const id = record[field];
    if (typeof id !== 'string' || !rule.test(id))
      throw new MalformedCheckMessageError(`bad ${field}`);
    ids[field] = id;
  }
  switch (kind) {
    case 'check':
      return buildCheckMessage(ids.userId, ids.jobId);
    case 'webhook_test':
      return buildWebhookTestMessage(ids.userId, ids.testId);
    case 'deliver':
      // The pattern admits impossible dates (month 13); the key is built from it, so refuse them.
      if (Number.isNaN(Date.parse(ids.createdAt)))
        throw new MalformedCheckMessageError('bad createdAt');
      return buildDeliverMessage(ids.userId, ids.createdAt, ids.notificationId);
  }
}

/** Parses an untrusted body that must be a check (see parseQueueMessage for every kind). */
export function parseCheckMessage(body: string | undefined): CheckMessage {
  const message = parseQueueMessage(body);
  if (message.kind !== 'check') throw new MalformedCheckMessageError(`not a check message`);
  return message;
}
