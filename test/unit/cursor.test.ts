// Page cursors: a cursor continues only the query it came from, and anything else is an InvalidCursorError.
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../lambdas/store/cursor';
import { creationPosition } from '../../lambdas/store/keys';

const query = { listing: 'alerts', index: 'gsi3', partition: 'STATUS#PENDING', statuses: ['PENDING'], alertSourceId: undefined };
const position = creationPosition.of('2025-01-01T00:00:00.000Z', '0f8fad5b-d9cb-469f-a165-70867728950e');
const decode = (cursor: string | undefined, q: Record<string, any> = query) => decodeCursor(q, cursor, creationPosition.isValid);
const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A real cursor's JSON, changed by `change`. */
const tampered = (change: (cursor: Record<string, unknown>) => unknown) =>
  base64Json(change(JSON.parse(Buffer.from(encodeCursor(query, position)!, 'base64url').toString('utf8'))));

describe('page cursors', () => {
  it('round-trips the position of the same query, as URL-safe text', () => {
    const cursor = encodeCursor(query, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decode(cursor)).toBe(position);
  });

  it('does not depend on the order the query was written in', () => {
    const reordered = { alertSourceId: undefined, statuses: ['PENDING'], partition: 'STATUS#PENDING', index: 'gsi3', listing: 'alerts' };
    expect(decode(encodeCursor(reordered, position))).toBe(position);
  });

  it('is undefined when there is no next page, and reads no cursor as the first page', () => {
    expect(encodeCursor(query, undefined)).toBeUndefined();
    expect(decode(undefined)).toBeUndefined();
    expect(decode('')).toBeUndefined();
  });

  it.each([
    ['another index', { ...query, index: 'gsi1' }],
    ['another partition', { ...query, partition: 'STATUS#RESOLVED' }],
    ['other statuses', { ...query, statuses: ['PENDING', 'ACCEPTED'] }],
    ['an added filter', { ...query, alertSourceId: 'src-1' }],
    ['another listing', { listing: 'log-entries', alertId: 'a-1' }],
  ])('refuses a cursor of the same listing under %s', (_what, other) => {
    expect(() => decode(encodeCursor(query, position), other)).toThrow(InvalidCursorError);
    expect(() => decode(encodeCursor(other, position))).toThrow(InvalidCursorError);
  });

  it.each([
    [
      'a key of another partition, as DynamoDB keys were once carried',
      base64Json({ i: 'gsi3', k: { gsi3pk: 'STATUS#RESOLVED', gsi3sk: position, pk: 'ALERT#x', sk: 'ALERT' } }),
    ],
    ['not base64url', 'not base64 at all!!'],
    ['padded base64', `${encodeCursor(query, position)}==`],
    ['base64 of no JSON', Buffer.from('hello').toString('base64url')],
    ['truncated JSON', encodeCursor(query, position)!.slice(0, 10)],
    ['trailing bytes', `${encodeCursor(query, position)}AAAA`],
    ['JSON null', base64Json(null)],
    ['a JSON string', base64Json('x')],
    ['a JSON array', base64Json([1, 2])],
    ['huge', base64Json({ q: 'x', p: 'y'.repeat(10_000) })],
  ])('refuses %s', (_what, cursor) => {
    expect(() => decode(cursor)).toThrow(InvalidCursorError);
  });

  it.each([
    ['an altered digest', (c: any) => ({ ...c, q: `${c.q.slice(1)}A` })],
    ['a missing digest', (c: any) => ({ p: c.p })],
    ['a missing position', (c: any) => ({ q: c.q })],
    ['an extra property', (c: any) => ({ ...c, k: { pk: 'x' } })],
    ['a number for a position', (c: any) => ({ ...c, p: 42 })],
    ['an object for a position', (c: any) => ({ ...c, p: { S: c.p } })],
    ['a null position', (c: any) => ({ ...c, p: null })],
    ['an empty position', (c: any) => ({ ...c, p: '' })],
    ['a position not in the sort key format', (c: any) => ({ ...c, p: 'ALERTS' })],
    ['a position with an id too long for a key', (c: any) => ({ ...c, p: `${c.p}${'x'.repeat(2000)}` })],
    ['a position with a control character', (c: any) => ({ ...c, p: `${c.p}\u0000` })],
  ])('refuses a cursor with %s', (_what, change) => {
    expect(() => decode(tampered(change))).toThrow(InvalidCursorError);
  });

  it('says which parameter is wrong', () => {
    expect(() => decode('garbage')).toThrow(/nextCursor/);
  });
});
