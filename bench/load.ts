// What the load scripts share (`npm run bench`, `npm run soak`): option parsing, a seeded event mix, a worker pool,
// percentiles, /proc readings, and a small client of the runtime's HTTP API.
import { readFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

/** A command-line number: `fallback` when absent, an error naming the option when not a number >= min. */
export function numberOption(name: string, raw: string | undefined, fallback: number, min: number, integer = true): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${raw}"`);
  }
  return n;
}

/** Deterministic PRNG, so that two runs with the same seed post the same events in the same order. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type EventType = 'ALERT' | 'ACCEPT' | 'RESOLVE' | 'COMMENT';

const MIX: Array<[EventType, number]> = [
  ['ALERT', 0.8],
  ['ACCEPT', 0.08],
  ['RESOLVE', 0.08],
  ['COMMENT', 0.04],
];
export const MIX_LABEL = MIX.map(([type, share]) => `${type} ${share * 100}%`).join(', ');

/** One event of the mix: an alert key (0 to keys-1) and an event type. */
export function randomEvent(random: () => number, keys: number): { key: number; eventType: EventType } {
  const key = Math.floor(random() * keys);
  let r = random();
  for (const [eventType, share] of MIX) {
    if (r < share) return { key, eventType };
    r -= share;
  }
  return { key, eventType: 'ALERT' };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `worker` over 0..count-1 with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await worker(next++);
    }),
  );
}

/** Resident memory of a process in MB, from /proc (Linux); undefined when it cannot be read. */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The runtime's HTTP API as the load scripts use it: the events API without a token, the rest with the admin token. */
export class LoadApi {
  constructor(
    readonly url: string,
    private readonly adminToken: string,
  ) {}

  /** A management GET, retried on transport errors and 5xx, so that one hiccup of the read path does not count. */
  // Bodies of several shapes: each caller reads the fields of the one it asked for.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string): Promise<{ status: number; body: any }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.adminToken}` } });
        const text = await res.text();
        if (res.status >= 500 && attempt < 5) throw new Error(`${res.status} ${text.slice(0, 200)}`);
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  async createSource(name: string, settings: Record<string, unknown> = {}): Promise<{ id: string; integrationKey: string }> {
    const res = await fetch(`${this.url}/api/alert-sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.adminToken}` },
      body: JSON.stringify({ name, ...settings }),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /api/alert-sources answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }

  /** Posts an event; never throws: status 0 for a transport error, with the error text. */
  async postEvent(body: unknown): Promise<{ status: number; eventId?: string; error?: string }> {
    try {
      const res = await fetch(`${this.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 202) return { status: res.status, error: text.slice(0, 300) };
      const parsed = JSON.parse(text) as { eventId?: string; status?: string };
      if (!parsed.eventId || parsed.status !== 'QUEUED') return { status: res.status, error: `unexpected 202 body: ${text.slice(0, 300)}` };
      return { status: 202, eventId: parsed.eventId };
    } catch (error) {
      return { status: 0, error: `${(error as Error).message} ${(error as { cause?: Error }).cause?.message ?? ''}`.trim() };
    }
  }
}
