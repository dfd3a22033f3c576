/**
 * Errors from the API, in either shape it answers with: RFC 9457 problem details
 * (`application/problem+json` with `errors: [{field, code, message}]`) or the older
 * `{statusCode, error, message: string | string[]}` whose validation messages start with the
 * field's name. Either way the form gets one message per field, and one for the whole form.
 */
export interface FieldErrors {
  [field: string]: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldErrors = {},
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages for the fields the form shows; the rest belong to the form as a whole. */
  split(known: readonly string[]): { fields: FieldErrors; form: string[] } {
    const fields: FieldErrors = {};
    const form: string[] = [];
    for (const [field, messages] of Object.entries(this.fields)) {
      if (known.includes(field)) fields[field] = messages;
      else form.push(...messages.map((m) => (field ? `${field}: ${m}` : m)));
    }
    if (Object.keys(this.fields).length === 0) form.push(this.message);
    return { fields, form };
  }
}

function add(fields: FieldErrors, field: string, message: string): void {
  (fields[field] ??= []).push(message);
}

const FIELD_PREFIX =
  /^([a-zA-Z][a-zA-Z0-9]*)(?:\.[a-zA-Z0-9]+)* (?:must|should|is|has|cannot|does|property)/;

function sentence(text: string): string {
  return text.length ? text[0].toUpperCase() + text.slice(1) : text;
}

/** "targetPrice must be …" shown under the field labelled "Target price" reads "Must be …". */
function withoutField(field: string, message: string): string {
  return sentence(
    field && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message,
  );
}

const GENERIC: Record<number, string> = {
  401: 'Please sign in.',
  403: 'The request was refused.',
  404: 'Not found.',
  409: 'That conflicts with what is stored.',
  413: 'That is too large.',
  429: 'Too many attempts. Wait a little and try again.',
  503: 'The service is unavailable. Try again shortly.',
};

/** Reads an error body (already parsed JSON, or undefined) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const fields: FieldErrors = {};
  const fallback = GENERIC[status] ?? `Something went wrong (HTTP ${status}).`;
  if (!body || typeof body !== 'object') return new ApiError(status, fallback);
  const b = body as Record<string, unknown>;
  const code = typeof b.code === 'string' ? b.code : undefined;

  if (Array.isArray(b.errors)) {
    for (const e of b.errors as unknown[]) {
      if (!e || typeof e !== 'object') continue;
      const { field, message } = e as Record<string, unknown>;
      if (typeof message !== 'string') continue;
      const name = typeof field === 'string' ? field : '';
      add(fields, name, withoutField(name, message));
    }
  }
  if (Array.isArray(b.message) || typeof b.message === 'string') {
    const messages = (Array.isArray(b.message) ? b.message : [b.message]).filter(
      (m): m is string => typeof m === 'string',
    );
    for (const m of messages) {
      const match = FIELD_PREFIX.exec(m);
      if (match) add(fields, match[1], withoutField(match[1], m));
      else if (Object.keys(fields).length === 0 || messages.length > 1)
        add(fields, '', sentence(m));
    }
  }
  const detail =
    (typeof b.detail === 'string' && b.detail) ||
    (typeof b.message === 'string' && b.message) ||
    (typeof b.title === 'string' && b.title) ||
    fallback;
  // A message without a field stays a form-level message, under the empty key.
  const errorId = typeof b.errorId === 'string' ? ` (error id ${b.errorId})` : '';
  return new ApiError(status, sentence(detail) + errorId, fields, code);
}
