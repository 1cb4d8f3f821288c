// An in-process local runtime on a manual clock, for the tests of the tick's timed jobs (heartbeats, auto-resolution,
// maintenance windows): the clock is stepped by the test, the escalator's timer ticks as configured.
import type { Runtime } from '../../local/runtime';
import { startInProcessRuntime, type InProcessRuntime } from './in-process-runtime';

export interface TimedRuntime {
  runtime: Runtime;
  client: InProcessRuntime['client'];
  /** The handlers' clock, in milliseconds since the epoch. */
  now: () => number;
  advanceSeconds: (seconds: number) => void;
  stop: () => Promise<void>;
}

export async function startTimedRuntime(options: { escalationTickSeconds?: number; sourceCacheTtlMs?: number } = {}): Promise<TimedRuntime> {
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  let nowMs = Date.now();
  const { runtime, client, stop } = await startInProcessRuntime('timed', {
    clock: () => nowMs,
    // Ingest too, so that events are received at the test's time (maintenance windows judge them by it).
    ingestDeps: { now: () => new Date(nowMs) },
    escalationTickSeconds: options.escalationTickSeconds ?? 0,
    sourceCacheTtlMs: options.sourceCacheTtlMs,
  });
  return {
    runtime,
    client,
    now: () => nowMs,
    advanceSeconds: (seconds) => void (nowMs += seconds * 1000),
    stop,
  };
}
