// An in-process local runtime on a manual clock, for the tests of the tick's timed jobs (heartbeats, auto-resolution,
// maintenance windows): the clock is stepped by the test, the escalator's timer ticks as configured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from '../../local/child';
import type { Runtime } from '../../local/runtime';
import { clientFor } from './client';

export interface TimedRuntime {
  runtime: Runtime;
  client: ReturnType<typeof clientFor>;
  /** The handlers' clock, in milliseconds since the epoch. */
  now: () => number;
  advanceSeconds: (seconds: number) => void;
  stop: () => Promise<void>;
}

export async function startTimedRuntime(options: { escalationTickSeconds?: number; sourceCacheTtlMs?: number } = {}): Promise<TimedRuntime> {
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  let nowMs = Date.now();
  // A require, not an import: loaded only after the settings above (Jest's sandbox refuses dynamic imports).
  const { startRuntime } = require('../../local/runtime') as typeof import('../../local/runtime');
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-timed-'));
  const adminToken = `token-${Math.random().toString(36).slice(2)}`;
  const port = await freePortPair();
  const runtime = await startRuntime({
    port,
    host: '127.0.0.1',
    dataDir,
    dynamoDbPort: port + 1,
    sqsPort: 0,
    adminToken,
    pollers: 1,
    visibilityTimeoutSeconds: 5,
    clock: () => nowMs,
    // Ingest too, so that events are received at the test's time (maintenance windows judge them by it).
    ingestDeps: { now: () => new Date(nowMs) },
    escalationTickSeconds: options.escalationTickSeconds ?? 0,
    sourceCacheTtlMs: options.sourceCacheTtlMs,
    log: () => undefined,
  });
  return {
    runtime,
    client: clientFor({ url: runtime.url, adminToken }),
    now: () => nowMs,
    advanceSeconds: (seconds) => void (nowMs += seconds * 1000),
    stop: async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
