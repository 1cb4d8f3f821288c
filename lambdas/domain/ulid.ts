// ULIDs: 10 Crockford base-32 characters of milliseconds, then 16 of randomness; sorting them sorts by time.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The ULID of `timeMs` with these 16 base-32 digits (each 0..31) as its random part. */
export function ulidOf(timeMs: number, digits: readonly number[]): string {
  let time = '';
  for (let t = Math.max(0, Math.floor(timeMs)), i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return time + digits.map((n) => CROCKFORD[n % 32]).join('');
}
