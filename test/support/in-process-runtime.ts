// The local runtime in the test's own process (its handlers' dependencies injectable), on free ports, in a temporary
// folder of its own, with a generated admin token: the start-up every in-process integration test shares.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from '../../local/child';
import type { Runtime, RuntimeOptions } from '../../local/runtime';
import { clientFor } from './client';

export interface InProcessRuntime {
  runtime: Runtime;
  dataDir: string;
  adminToken: string;
  client: ReturnType<typeof clientFor>;
  /** Stops the runtime and deletes its folder. */
  stop: () => Promise<void>;
}

/**
 * Starts the runtime with one poller, a 5 s visibility timeout, no escalation tick and no log, unless `settings` says
 * otherwise. Powertools reads its settings when the handlers are loaded: set them (e.g. POWERTOOLS_LOG_LEVEL) before
 * the first call, which loads the runtime (a require: Jest's sandbox refuses dynamic imports).
 */
export async function startInProcessRuntime(name: string, settings: Partial<RuntimeOptions> = {}): Promise<InProcessRuntime> {
  const { startRuntime } = require('../../local/runtime') as typeof import('../../local/runtime');
  const dataDir = mkdtempSync(join(tmpdir(), `alertline-${name}-`));
  const adminToken = `token-${name}-${Math.random().toString(36).slice(2)}`;
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
    escalationTickSeconds: 0,
    log: () => undefined,
    ...settings,
  });
  return {
    runtime,
    dataDir,
    adminToken,
    client: clientFor({ url: runtime.url, adminToken }),
    stop: async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
