import { InvalidCursorError } from '../domain/errors';

/**
 * Pagination cursors are DynamoDB's LastEvaluatedKey, encoded. They come back from the client, so
 * decoding validates them: only the caller's own partition and the listing's own key prefix are
 * accepted, which keeps a forged cursor from reading anyone else's items.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

export function decodeCursor(
  cursor: string | undefined,
  expectedPk: string,
  skPrefix: string,
): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof value !== 'object' || value === null) throw new InvalidCursorError();
  const { pk, sk, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidCursorError();
  if (pk !== expectedPk || typeof sk !== 'string' || !sk.startsWith(skPrefix))
    throw new InvalidCursorError();
  return { pk, sk };
}
