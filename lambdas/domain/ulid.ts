// ULIDs: 10 Crockford base-32 characters of milliseconds, then 16 of randomness; sorting them sorts by time. Made and read back.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The ULID of `timeMs` with these 16 base-32 digits (each 0..31) as its random part. */
export function ulidOf(timeMs: number, digits: readonly number[]): string {
  let time = '';
  for (let t = Math.max(0, Math.floor(timeMs)), i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return time + digits.map((n) => CROCKFORD[n % 32]).join('');
}

/** An id shaped as a ULID is (upper case, as ulidOf writes it; time at most 2^48 - 1 ms): 26 Crockford characters. */
const ULID_SHAPE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The time (ms since the epoch) of an id shaped as a ULID; undefined for any other string. */
export function ulidTime(id: string): number | undefined {
  if (!ULID_SHAPE.test(id)) return undefined;
  let time = 0;
  for (const c of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(c);
  return time;
}
