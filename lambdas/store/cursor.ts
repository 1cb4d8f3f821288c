// Opaque page cursors: DynamoDB's LastEvaluatedKey, bound to the index it came from, as base64url JSON.

export class InvalidCursorError extends Error {}

export function encodeCursor(index: string, lastKey: Record<string, unknown> | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify({ i: index, k: lastKey })).toString('base64url') : undefined;
}

export function decodeCursor(index: string, cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { i?: unknown; k?: unknown };
    const key = parsed.k as Record<string, unknown>;
    if (parsed.i !== index || typeof key !== 'object' || key === null || Array.isArray(key)) throw new Error('cursor of another listing');
    if (!Object.values(key).every((v) => typeof v === 'string')) throw new Error('malformed key');
    return key;
  } catch {
    throw new InvalidCursorError('nextCursor is not a cursor of this listing');
  }
}
