// A short-lived in-process cache of alert sources, so that a burst of events does not read the same item thousands of times.
import type { AlertSource } from '../domain/alert-source';

export class SourceCache {
  private readonly entries = new Map<string, { source: AlertSource; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached source, or the loaded one; unknown keys are not cached, so a new source works at once. */
  async get(key: string, load: (key: string) => Promise<AlertSource | undefined>): Promise<AlertSource | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.clock()) return hit.source;
    const source = await load(key);
    if (source && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { source, until: this.clock() + this.ttlMs });
    } else {
      this.entries.delete(key);
    }
    return source;
  }
}
