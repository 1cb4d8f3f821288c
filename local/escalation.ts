// The local runtime's escalation pieces: the action-link secret kept in the data folder, and the escalator's timer.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The secret that signs action links: ACTION_SECRET when given, else generated at the first start and kept in the
 * (private) data folder, so that links sent before a restart still work after it.
 */
export function actionSecretIn(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, 'action-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Calls `tick` every `seconds` (0: never; tests then step with runtime.tick()). A tick still running when the next is
 * due is not doubled: the next one starts after it. stop() waits for the tick under way.
 */
export function startTicker(seconds: number, tick: () => Promise<unknown>, onError: (error: unknown) => void): { stop: () => Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer =
    seconds > 0
      ? setInterval(() => {
          if (running) return;
          running = tick()
            .catch(onError)
            .finally(() => (running = undefined));
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
