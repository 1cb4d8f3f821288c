// Time budgets of AWS SDK calls: the per-attempt timeouts the HTTP handler enforces, and a cap on a whole call.

/**
 * What one SDK call may take. Each attempt is cut after `attemptTimeoutMs` (connection, answer, and any silence on
 * the socket); the whole call, retries and back-off included, fails after `totalMs`, so that a throttling back-off
 * (up to seconds in the SDK's standard retry) cannot stretch it either.
 */
export interface CallBudget {
  maxAttempts: number;
  attemptTimeoutMs: number;
  totalMs: number;
}

export const CALL_BUDGETS = {
  /**
   * Ingest answers within 5 s whatever its dependencies do. Once a dependency stalls, it makes at most two calls in a
   * row before it answers (the failing write, then the withdraw and the key release side by side), and locally a
   * write may wait for one group write ahead of it: 3 x 1.5 s.
   */
  ingest: { maxAttempts: 2, attemptTimeoutMs: 700, totalMs: 1500 },
  /** The management API (10 s function timeout) and the processor (60 s): a stalled call fails within 3 s. */
  default: { maxAttempts: 3, attemptTimeoutMs: 900, totalMs: 3000 },
  /** The local pollers' receives long-poll for 1 s: an attempt must outlast that. */
  longPoll: { maxAttempts: 2, attemptTimeoutMs: 3000, totalMs: 7000 },
} as const satisfies Record<string, CallBudget>;

/**
 * SDK client options that enforce the per-attempt timeout. @smithy/node-http-handler only logs a warning when
 * `requestTimeout` passes unless `throwOnRequestTimeout` is set; `socketTimeout` also cuts an answer that stops
 * half-way (the request timeout ends when the headers arrive).
 */
export const sdkTimeouts = (budget: CallBudget) => ({
  maxAttempts: budget.maxAttempts,
  requestHandler: {
    connectionTimeout: Math.min(500, budget.attemptTimeoutMs),
    requestTimeout: budget.attemptTimeoutMs,
    socketTimeout: budget.attemptTimeoutMs,
    throwOnRequestTimeout: true,
  },
});

/** The error a call over its budget fails with: named like the SDK's own timeouts, so callers treat both alike. */
export const budgetExceeded = (ms: number) =>
  Object.assign(new Error(`the call did not complete within its ${ms} ms budget`), { name: 'TimeoutError', code: 'ETIMEDOUT' });

interface WithMiddlewareStack {
  // Each client's middleware type is generic in its own input and output types; no one type other than any takes all.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: { add: (middleware: any, options: { step: 'initialize'; name: string; override?: boolean }) => void };
}

/**
 * Caps every call of an SDK client, retries included, at the budget's total. The attempt under way is not awaited:
 * its own request timeout ends it soon after. A write cut this way may still land, exactly as a timed-out one may.
 */
export function capCalls<C extends WithMiddlewareStack>(client: C, budget: CallBudget): C {
  const cap = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
    const call = next(args);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(budgetExceeded(budget.totalMs)), budget.totalMs);
    });
    call.catch(() => undefined); // settled later, after the cap answered: nobody waits for it
    return Promise.race([call, expired]).finally(() => clearTimeout(timer));
  };
  client.middlewareStack.add(cap, { step: 'initialize', name: 'alertlineCallBudget', override: true });
  return client;
}
