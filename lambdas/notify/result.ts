// The outcome of one delivery attempt, as every sender reports it to the notifier.

/** A failure is retryable when trying again later may succeed (a timeout, 408, 429, 5xx); `error` is short and names no secret. */
export type SendResult = { ok: true } | { ok: false; retryable: boolean; error: string };

export const SENT: SendResult = { ok: true };

export const failed = (retryable: boolean, error: string): SendResult => ({ ok: false, retryable, error });
