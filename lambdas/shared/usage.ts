// What a function invocation consumed of the billed resources (DynamoDB units, SQS requests, duration), added up per
// invocation and per process. The DynamoDB and SQS clients record into the invocation under way (AsyncLocalStorage),
// so that concurrent invocations in one process (the local runtime) are told apart.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Usage {
  /** DynamoDB write request units, table and indexes. */
  wru: number;
  /** DynamoDB read request units, table and indexes. */
  rru: number;
  /** Write units of transactional items counted from their size rather than reported (DynamoDB Local undercounts them). */
  wruBySize: number;
  /** Of those, items whose old version was not known (read or written before in this process): sized from the new one. */
  itemsEstimated: number;
  dynamoCalls: number;
  /** Billed SQS requests: one per 64 KiB chunk of a request's payload. */
  sqsRequests: number;
  /** Receives that returned nothing (long polls of an idle queue): billed, but a cost of time, not of events. */
  sqsEmptyReceives: number;
  invocations: number;
  durationMs: number;
  /** Duration as Lambda bills it: rounded up to the millisecond, per invocation. */
  billedMs: number;
}

export const emptyUsage = (): Usage => ({
  wru: 0,
  rru: 0,
  wruBySize: 0,
  itemsEstimated: 0,
  dynamoCalls: 0,
  sqsRequests: 0,
  sqsEmptyReceives: 0,
  invocations: 0,
  durationMs: 0,
  billedMs: 0,
});

/** Adds `b` into `a`. */
export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  for (const key of Object.keys(b) as Array<keyof Usage>) a[key] += b[key] ?? 0;
  return a;
}

/** Calls made outside any measured invocation: the local pollers' receives and deletes, start-up recovery. */
export const UNSCOPED = 'unscoped';

const current = new AsyncLocalStorage<Usage>();
const totals = new Map<string, Usage>();

const totalOf = (name: string): Usage => {
  let usage = totals.get(name);
  if (!usage) totals.set(name, (usage = emptyUsage()));
  return usage;
};

/** Called by the clients after each call: counts into the invocation under way, or UNSCOPED. */
export function recordUsage(usage: Partial<Usage>): void {
  const scope = current.getStore();
  if (scope) addUsage(scope, usage);
  else addUsage(totalOf(UNSCOPED), usage);
}

/**
 * Runs one invocation of `name` in a scope of its own; `onDone` sees what it consumed (the handler's metrics), and the
 * process totals gain it.
 */
export async function measured<T>(name: string, run: () => Promise<T>, onDone?: (usage: Usage) => void): Promise<T> {
  const usage = emptyUsage();
  const started = performance.now();
  try {
    return await current.run(usage, run);
  } finally {
    usage.invocations = 1;
    usage.durationMs = performance.now() - started;
    usage.billedMs = Math.ceil(usage.durationMs);
    onDone?.(usage);
    addUsage(totalOf(name), usage);
  }
}

/** What each function (and UNSCOPED) consumed in this process so far: a copy. */
export function usageTotals(): Record<string, Usage> {
  return Object.fromEntries([...totals].map(([name, usage]) => [name, { ...usage }]));
}
