// The webhook signature: the X-Alertline-Signature header a delivery carries, and how a receiver checks it.
import { createHmac, timingSafeEqual } from 'node:crypto';

const hmacHex = (secret: string, unixSeconds: number | string, rawBody: string): string =>
  createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the timestamp is signed too, so an old delivery cannot be replayed as new. */
export function signatureHeader(secret: string, rawBody: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, unixSeconds, rawBody)}`;
}

/**
 * The receiver's check: the header parses, its timestamp is within `toleranceSeconds` of `nowSeconds`, and one of its
 * v1 values is the HMAC of exactly the bytes received (compared in constant time). Several v1 values are accepted so
 * that a sender may sign with an old and a new secret while it is rotated.
 */
export function verifySignature(secret: string, header: string, rawBody: string, toleranceSeconds: number, nowSeconds: number): boolean {
  const fields = header.split(',').map((part) => part.trim().split('='));
  const t = fields.find(([k]) => k === 't')?.[1];
  if (t === undefined || !/^\d{1,12}$/.test(t)) return false;
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
  return fields.filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)).some(([, v]) => timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
