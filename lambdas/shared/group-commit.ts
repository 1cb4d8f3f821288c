// Group commit: writes that arrive while earlier ones are in flight are gathered and written together next, in one call.
// A lone write goes out at once, so a quiet process (one request per Lambda instance) waits for nothing.

/** Writes a group; settles each entry on its own (an entry may fail while the others succeed). */
export type WriteGroup<T> = (entries: T[]) => Promise<Array<{ ok: true } | { ok: false; error: unknown }>>;

export class GroupCommit<T> {
  private waiting: Array<{ entry: T; settle: (error?: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly write: WriteGroup<T>,
    private readonly maxGroup: number,
    /** Groups written at the same time; more writes wait and join the next group. */
    private readonly maxInFlight = 1,
  ) {}

  add(entry: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ entry, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.maxGroup);
      this.inFlight++;
      void this.writeGroup(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async writeGroup(group: Array<{ entry: T; settle: (error?: unknown) => void }>): Promise<void> {
    try {
      const results = await this.write(group.map((g) => g.entry));
      group.forEach((g, i) => {
        const result = results[i];
        g.settle(result?.ok ? undefined : (result?.error ?? new Error('the group write gave no result for this entry')));
      });
    } catch (error) {
      for (const g of group) g.settle(error);
    }
  }
}

/**
 * Splits entries, in order, into chunks of at most `maxCount` entries and `maxBytes` bytes (by `size`); an entry
 * larger than `maxBytes` gets a chunk of its own.
 */
export function chunksOf<T>(entries: T[], maxCount: number, maxBytes: number, size: (entry: T) => number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const n = size(entry);
    if (chunk.length > 0 && (chunk.length === maxCount || bytes + n > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += n;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
