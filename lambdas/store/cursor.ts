// Opaque page cursors: where the last page stopped, bound to the query it came from, as base64url JSON.
import { createHash } from 'node:crypto';

export class InvalidCursorError extends Error {}

/**
 * What a cursor may continue: the listing, its index and partition, and its filters (not the page size). A flat object
 * of strings and string lists, built by the store in a fixed key order.
 */
export type CursorQuery = Record<string, string | string[] | undefined>;

/** Far more than any cursor this module writes (about 120 characters); checked before anything is decoded. */
const MAX_CURSOR_CHARS = 512;

const INVALID = 'nextCursor is not a cursor of this listing with these filters: pass it as it was given, with the same filters, or start again without it';

/**
 * Why a position and not DynamoDB's LastEvaluatedKey: a key read back from the caller would be handed to DynamoDB as
 * ExclusiveStartKey, and a key of another partition, with other attributes or other types makes DynamoDB refuse the
 * query (a 500). A position is one string the store checks against its own format and compares in the key condition,
 * so even a well-formed forgery can only move within the query's own partition and filters.
 */
interface Cursor {
  /** Digest of the query: a cursor of other filters, another index or another alert is refused. */
  q: string;
  /** The sort key of the last item the page covered. */
  p: string;
}

/** Deterministic whatever the order the query's properties were written in. */
const digest = (query: CursorQuery): string =>
  createHash('sha256')
    .update(JSON.stringify(query, Object.keys(query).sort()))
    .digest('base64url')
    .slice(0, 22);

export function encodeCursor(query: CursorQuery, position: string | undefined): string | undefined {
  if (position === undefined) return undefined;
  const cursor: Cursor = { q: digest(query), p: position };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/**
 * The position a cursor continues from (undefined: the first page). Anything but a cursor this query handed out, with a
 * position `isPosition` accepts, is an InvalidCursorError.
 */
export function decodeCursor(query: CursorQuery, cursor: string | undefined, isPosition: (position: string) => boolean): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError(INVALID);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(INVALID);
  }
  if (!isCursor(parsed) || parsed.q !== digest(query) || !isPosition(parsed.p)) throw new InvalidCursorError(INVALID);
  return parsed.p;
}

const isCursor = (value: unknown): value is Cursor =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).sort().join() === 'p,q' &&
  typeof (value as Cursor).q === 'string' &&
  typeof (value as Cursor).p === 'string';
