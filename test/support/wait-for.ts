// Bounded waiting for the integration tests: poll a condition until it holds, or fail saying what never happened.

export interface WaitOptions {
  /** How long the condition may take before the test fails. */
  timeoutMs: number;
  /** What is awaited, for the failure ("the queue to drain"); a function can add what was last seen. */
  what: string | (() => string);
  /** Pause between two checks. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value, and returns that value. An error the condition throws (a 5xx, a
 * refused connection) fails at once: only "not yet" is retried.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, { timeoutMs, what, intervalMs = 50 }: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
