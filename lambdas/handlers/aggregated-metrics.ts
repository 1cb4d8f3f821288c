// Counters a function adds up in memory and publishes as EMF at most once per interval (one line per dimension set),
// instead of one EMF line per invocation: ingest's metrics, which would otherwise be most of its log bytes per event.
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { metrics } from './clients';

/** The counts of one dimension set (besides the service's), as one EMF line publishes them. */
export interface CountLine {
  dimensions: Record<string, string>;
  values: Record<string, number>;
}

export interface AggregatedCountsOptions {
  /** Publishes a flush: every dimension set that was counted since the last one. */
  publish: (lines: CountLine[]) => void;
  intervalMs: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/**
 * Sums per metric name and dimension set, published by `publishIfDue` (after each invocation) when the last flush is
 * at least one interval old; an instance's first flush comes at its first invocation, so that a lone event on a fresh
 * instance is not held back. A count marked urgent (a 5xx) is published by the next `publishIfDue` whatever the interval.
 *
 * What is lost: Lambda freezes an idle instance and reclaims it without warning, so the counts made since its last
 * flush (at most one interval of its invocations) are never published. Lines are stamped when published: a count
 * lands up to one interval late, or later when the instance idled in between (it waits for the next invocation).
 */
export class AggregatedCounts {
  private readonly pending = new Map<string, CountLine>();
  private lastFlushAt: number | undefined;
  private urgent = false;

  constructor(private readonly options: AggregatedCountsOptions) {}

  add(name: string, value: number, dimensions: Record<string, string> = {}, urgent = false): void {
    const sorted = Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = JSON.stringify(sorted);
    let line = this.pending.get(key);
    if (!line) this.pending.set(key, (line = { dimensions: sorted, values: {} }));
    // Capacity units are multiples of 0.5 and counts integers: one decimal keeps the sums exact.
    line.values[name] = Math.round(((line.values[name] ?? 0) + value) * 10) / 10;
    this.urgent ||= urgent;
  }

  /** Publishes what was counted when a flush is due; true when it did. */
  publishIfDue(): boolean {
    if (this.pending.size === 0) return false;
    const now = this.options.now();
    const due = this.urgent || this.lastFlushAt === undefined || now - this.lastFlushAt >= this.options.intervalMs;
    if (!due) return false;
    const lines = [...this.pending.values()];
    this.pending.clear();
    this.urgent = false;
    this.lastFlushAt = now;
    this.options.publish(lines);
    return true;
  }
}

/** Each line as one EMF line of `target` (its namespace and service dimension), counts in Count units. */
export const publishTo =
  (target: Metrics) =>
  (lines: CountLine[]): void => {
    for (const line of lines) {
      target.addDimensions(line.dimensions);
      for (const [name, value] of Object.entries(line.values)) target.addMetric(name, MetricUnit.Count, value);
      target.publishStoredMetrics();
    }
  };

/** A middy middleware that offers `counts` a flush after each invocation, whether it returned or threw. */
export const publishCountsIfDue = (counts: AggregatedCounts): MiddlewareObj => ({
  after: () => void counts.publishIfDue(),
  onError: () => void counts.publishIfDue(),
});

/**
 * Ingest's counters (EventsAccepted, EventsRejected by code, ConsumedWriteUnits, ConsumedReadUnits): one invocation per
 * event, so one EMF line per invocation would cost more log bytes than everything else the event writes.
 */
export const ingestCounts = new AggregatedCounts({ publish: publishTo(metrics), intervalMs: 60_000, now: () => Date.now() });
