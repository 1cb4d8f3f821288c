// The one place that reads the AWS SDK's errors: DynamoDB's exceptions become the store's vocabulary (errors.ts).
import { Conflict, NotFound, Unavailable } from './errors';

/**
 * A write's condition failed. `items`: the positions, in the write, of the items whose condition failed ([0] for a
 * single-item write); the store that made the write knows what each item was and says what the failure means
 * (a duplicate, a missing item, a lost race). Left as it is, it is a Conflict: someone else changed the item first.
 */
export class ConditionFailed extends Conflict {
  override readonly name = 'ConditionFailed';
  constructor(
    message: string,
    readonly items: number[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Error names that say the service is slow, unreachable or overloaded, not that the request is wrong. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'AbortError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Cancellation reasons of a transaction's item that say the same as UNAVAILABLE_NAMES. */
const UNAVAILABLE_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

type SdkError = Error & {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  CancellationReasons?: Array<{ Code?: string }>;
};

/** A timeout, a network failure, throttling or a 5xx of an AWS SDK call: nothing is known to have happened. */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as SdkError;
  return UNAVAILABLE_NAMES.has(e.name) || NETWORK_CODES.has(e.code ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500 || Boolean(e.$retryable);
}

/** Why a transaction was cancelled: one code per item, in the order the items were given ('None' for those that passed). */
export const cancellationCodes = (error: SdkError): string[] => (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');

/** The positions of the items whose code says their condition failed. */
export const failedConditions = (codes: string[]): number[] => codes.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));

/**
 * Translates an error of a DynamoDB call into the vocabulary: a failed condition (alone or in a transaction) is a
 * ConditionFailed, a transaction that met another one a Conflict, an outage an Unavailable. Anything else (a request
 * the service refused as invalid: a bug) is returned as it is. Errors already translated pass through unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof NotFound || error instanceof Conflict || error instanceof Unavailable) return error;
  const e = error as SdkError;
  if (e.name === 'ConditionalCheckFailedException') return new ConditionFailed(e.message, [0], { cause: e });
  if (e.name === 'TransactionConflictException') return new Conflict(e.message, { cause: e });
  if (e.name === 'TransactionCanceledException') {
    const codes = cancellationCodes(e);
    const failed = failedConditions(codes);
    if (failed.length > 0) return new ConditionFailed(e.message, failed, { cause: e });
    if (codes.includes('TransactionConflict')) return new Conflict(e.message, { cause: e });
    if (codes.some((code) => UNAVAILABLE_CODES.has(code))) return new Unavailable(e.message, { cause: e });
    return e;
  }
  if (isUnavailableError(e)) return new Unavailable(e.message, { cause: e });
  return e;
}

/**
 * Awaits a conditional write; when its condition fails, answers `otherwise(failure)` instead (which may return a value
 * or throw the error that says what the failure means). Every other failure is thrown translated.
 */
export async function ifConditionFailed<T, U>(write: Promise<T>, otherwise: (failure: ConditionFailed) => U): Promise<T | U> {
  try {
    return await write;
  } catch (error) {
    const translated = toStoreError(error);
    if (translated instanceof ConditionFailed) return otherwise(translated);
    throw translated;
  }
}
