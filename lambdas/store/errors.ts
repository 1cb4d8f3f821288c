// The one error vocabulary of every store: callers tell outcomes apart by class, never by an SDK exception's name.

/** The item a write was conditioned on does not exist (or no longer does). */
export class NotFound extends Error {
  override readonly name: string = 'NotFound';
}

/** A condition failed because someone else changed the item first: read again and decide again. */
export class Conflict extends Error {
  override readonly name: string = 'Conflict';
}

/** The database could not answer in time (timeout, network, throttling, a 5xx): nothing is known to have happened. */
export class Unavailable extends Error {
  override readonly name: string = 'Unavailable';
}
