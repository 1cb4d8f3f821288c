// Identifiers: time-ordered event ids (so that QUEUED events re-enqueue in acceptance order), random ids and integration keys.
import { randomBytes, randomUUID } from 'node:crypto';
import { ulidOf } from '../domain/ulid';

let lastTime = -1;
let lastRandom: number[] = [];

/** A ULID, monotonic within this process: ids made in the same millisecond still sort in creation order. */
export function eventId(now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i >= 0) lastRandom[i]++;
    else lastTime = now = now + 1; // 80 random bits used up within one millisecond: borrow the next one
  } else {
    lastTime = now;
    lastRandom = Array.from(randomBytes(16), (b) => b % 32);
  }
  return ulidOf(now, lastRandom);
}

export const newId = (): string => randomUUID();

/** 32 random bytes as base64url: 43 URL-safe characters. */
export const newIntegrationKey = (): string => `al1${randomBytes(32).toString('base64url')}`;
