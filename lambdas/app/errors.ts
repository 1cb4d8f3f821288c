// The use cases' failures, in the product's terms: the API handler maps each class to a status and error code in one place.
import type { FieldError } from '../domain/validation';
import { Conflict, NotFound } from '../store/errors';

/** The thing asked for does not exist; `what` names it for the caller ("Alert source"). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}

/** The request is sound but the current state refuses it (e.g. POLICY_IN_USE, INVALID_STATE); `code` says which rule. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

/** The caller's input breaks a rule; `errors` names each field. `code` is VALIDATION_FAILED unless a rule has its own. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly errors: FieldError[],
    readonly code = 'VALIDATION_FAILED',
  ) {
    super(message);
  }
}

/**
 * Runs a conditional store write and says whether it took effect. A failed condition (the item is gone or changed
 * since it was read) is an outcome the use case decides on, not an error: stores report it as NotFound or Conflict
 * (or, where a store answers with a boolean, as false).
 */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    return (await write()) !== false;
  } catch (error) {
    if (error instanceof NotFound || error instanceof Conflict) return false;
    throw error;
  }
}
