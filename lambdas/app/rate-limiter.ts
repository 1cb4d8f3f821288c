// The per-alert-source rate limit, counted in the shared store in leases: an instance that serves a busy source reserves
// several events of the minute at once and hands them out without a write each, renewing ahead; near the limit it
// reserves one at a time.

export type RateDecision = { allowed: true; limit: number; remaining: number } | { allowed: false; limit: number; retryAfterSeconds: number };

/** Adds `count` to the source's counter for `minute` if it stays within `limit`; the counter after, or undefined. */
export type Reserve = (alertSourceId: string, minute: number, count: number, limit: number) => Promise<number | undefined>;

interface Lease {
  minute: number;
  /** Events reserved in the store and not handed out yet. */
  tokens: number;
  /** Events this instance let through in this minute: how busy the source is here. */
  served: number;
  /** The shared counter as last seen. */
  counted: number;
  /** The store refused even one more: the minute is full. */
  full: boolean;
  /** The size of the last lease. */
  size: number;
  pending?: Promise<void>;
}

/** A lease is at most this many events, and at most this share of what is left of the minute's limit. */
export const MAX_LEASE = 50;
const LEASE_SHARE = 0.1;

export class RateLimiter {
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly reserve: Reserve,
    private readonly maxSources = 10_000,
  ) {}

  /**
   * Counts `count` events of the source in the current minute, or refuses them when they do not fit. Events reserved
   * but not handed out when the minute ends are lost to that minute, so a source spread over many instances may be
   * limited a little before its limit (never after): at most one lease per instance, each at most a tenth of the rest.
   */
  async take(alertSourceId: string, limit: number, now: Date, count = 1): Promise<RateDecision> {
    const minute = Math.floor(now.getTime() / 60_000);
    const refused = (): RateDecision => ({ allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now.getTime()) / 1000)) });
    for (;;) {
      const lease = this.leaseOf(alertSourceId, minute);
      if (lease.tokens >= count) {
        lease.tokens -= count;
        lease.served += count;
        // Renew ahead, in the background, once half of a lease is used: a busy source never waits for the store.
        if (lease.size > 1 && lease.tokens <= lease.size / 2 && !lease.pending && !lease.full) {
          lease.pending = this.renew(alertSourceId, lease, limit)
            .catch(() => undefined) // the next request that finds no token renews again and reports the failure
            .finally(() => (lease.pending = undefined));
        }
        return { allowed: true, limit, remaining: Math.max(0, limit - lease.counted) + lease.tokens };
      }
      if (lease.full) return refused();
      if (lease.pending) {
        // Requests arriving while a reservation is under way wait for it rather than reserving on their own.
        await lease.pending;
        continue;
      }
      if (count > 1) {
        // Several events at once (one tool payload): all of them fit in the minute, or none is taken; a refusal leaves
        // the minute open to smaller requests.
        if (!(await this.reserveMore(alertSourceId, lease, limit, count - lease.tokens))) return refused();
        continue;
      }
      lease.pending = this.renew(alertSourceId, lease, limit).finally(() => (lease.pending = undefined));
      await lease.pending;
    }
  }

  /** Reserves exactly `missing` more events for the lease; false when they do not fit in the minute. */
  private async reserveMore(alertSourceId: string, lease: Lease, limit: number, missing: number): Promise<boolean> {
    const reserving = this.reserve(alertSourceId, lease.minute, missing, limit);
    // Those waiting on it only need to know it ended: they look again (a failure is this request's to report).
    const pending = reserving.then(
      () => undefined,
      () => undefined,
    );
    lease.pending = pending;
    try {
      const counted = await reserving;
      if (counted === undefined) return false;
      lease.counted = counted;
      lease.tokens += missing;
      return true;
    } finally {
      if (lease.pending === pending) lease.pending = undefined;
    }
  }

  private leaseOf(alertSourceId: string, minute: number): Lease {
    let lease = this.leases.get(alertSourceId);
    if (!lease || lease.minute !== minute) {
      if (!lease && this.leases.size >= this.maxSources) this.forgetOldMinutes(minute);
      lease = { minute, tokens: 0, served: 0, counted: 0, full: false, size: 0 };
      this.leases.set(alertSourceId, lease);
    }
    return lease;
  }

  private forgetOldMinutes(minute: number): void {
    for (const [id, lease] of this.leases) if (lease.minute !== minute && !lease.pending) this.leases.delete(id);
  }

  private async renew(alertSourceId: string, lease: Lease, limit: number): Promise<void> {
    const wanted = leaseSize(limit, lease.counted, lease.served);
    for (const size of wanted > 1 ? [wanted, 1] : [1]) {
      const counted = await this.reserve(alertSourceId, lease.minute, size, limit);
      if (counted !== undefined) {
        lease.counted = counted;
        lease.tokens += size;
        lease.size = size;
        return;
      }
    }
    lease.full = true;
  }
}

/**
 * How many events to reserve: one for a quiet source; for a busy one as many as this instance served so far in the
 * minute, capped by MAX_LEASE and by a tenth of what the limit has left.
 */
export function leaseSize(limit: number, counted: number, served: number): number {
  const left = Math.max(0, limit - counted);
  return Math.max(1, Math.min(MAX_LEASE, served, Math.floor(left * LEASE_SHARE)));
}
