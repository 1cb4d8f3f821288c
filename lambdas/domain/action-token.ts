// Action-link tokens: one alert, one action, one user and the channel that carried it, signed by the server's secret and expiring.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONTACT_TYPES, type ContactType } from './user';

export const ACTION_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export const ACTIONS = ['accept', 'resolve'] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionClaims {
  alertId: string;
  action: ActionName;
  userId: string;
  channel: ContactType;
}

export type VerifiedToken = { ok: true; claims: ActionClaims & { expiresAt: number } } | { ok: false; reason: 'invalid' | 'expired' };

/** The payload as signed: short keys keep links short enough for mail clients that wrap long lines. */
interface Payload {
  a: string;
  x: ActionName;
  u: string;
  c: ContactType;
  /** Expiry, unix seconds. */
  e: number;
}

const mac = (secret: string, payloadPart: string): Buffer => createHmac('sha256', secret).update(payloadPart).digest();

/** base64url(JSON claims) + '.' + base64url(HMAC-SHA256(secret, the first part)). */
export function signActionToken(secret: string, claims: ActionClaims, nowMs: number, ttlMs = ACTION_TOKEN_TTL_MS): string {
  const payload: Payload = { a: claims.alertId, x: claims.action, u: claims.userId, c: claims.channel, e: Math.floor((nowMs + ttlMs) / 1000) };
  const payloadPart = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${payloadPart}.${mac(secret, payloadPart).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const INVALID = { ok: false, reason: 'invalid' } as const;

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128;

function parsePayload(payloadPart: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  const valid =
    isId(p.a) &&
    isId(p.u) &&
    ACTIONS.includes(p.x as ActionName) &&
    CONTACT_TYPES.includes(p.c as ContactType) &&
    typeof p.e === 'number' &&
    Number.isSafeInteger(p.e);
  return valid ? (p as unknown as Payload) : undefined;
}

/**
 * The signature is checked first and in constant time, so an altered token is `invalid` whatever it claims; only a
 * genuine token can be `expired` (the expiry itself is signed).
 */
export function verifyActionToken(secret: string, token: string, nowMs: number): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) return INVALID;
  const [payloadPart, signaturePart] = parts;
  const expected = mac(secret, payloadPart);
  const given = Buffer.from(signaturePart, 'base64url');
  // Re-encoding catches a signature with extra trailing bits that decodes to the same bytes.
  if (given.length !== expected.length || given.toString('base64url') !== signaturePart || !timingSafeEqual(given, expected)) return INVALID;
  const payload = parsePayload(payloadPart);
  if (!payload) return INVALID;
  if (Math.floor(nowMs / 1000) >= payload.e) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { alertId: payload.a, action: payload.x, userId: payload.u, channel: payload.c, expiresAt: payload.e } };
}

const CHANNEL_WORDS: Record<ContactType, string> = { WEBHOOK: 'webhook', SLACK: 'Slack', EMAIL: 'email' };

/** The log's wording: "accepted by Uma Oncall via webhook link". */
export function actionLogText(action: ActionName, userName: string, channel: ContactType): string {
  return `${action === 'accept' ? 'accepted' : 'resolved'} by ${userName} via ${CHANNEL_WORDS[channel]} link`;
}
