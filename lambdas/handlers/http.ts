// HTTP edge helpers: JSON responses and the one error shape every route answers with.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ActionLinkError } from '../app/actions';
import { ConflictError, NotFoundError, ValidationError } from '../app/errors';
import type { FieldError } from '../domain/validation';
import { Conflict, Unavailable } from '../store/errors';
import { ConditionFailed, isUnavailableError } from '../store/sdk-errors';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** An HTML page (an action link's); `headers` carry the page's own policy (content security, caching, referrer). */
export const html = (statusCode: number, body: string, headers: Readonly<Record<string, string>> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
  body,
});

export const errorResponse = (status: number, code: string, message: string, errors?: FieldError[], headers?: Record<string, string>) =>
  json(status, { status, code, message, ...(errors ? { errors } : {}) }, headers);

export class HttpError extends Error {
  /** Extra response headers, e.g. Retry-After on a 429. */
  headers?: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
  toResponse(): HttpResponse {
    return errorResponse(this.status, this.code, this.message, this.errors, this.headers);
  }
}

export const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/** The raw body as bytes, whatever API Gateway did with it. */
export const bodyBuffer = (event: APIGatewayProxyEventV2): Buffer =>
  event.body === undefined || event.body === null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

/** Parses a JSON body, with 415 for another content type and 400 for text that is not JSON. */
export function parseJsonBody(event: APIGatewayProxyEventV2, maxBytes: number, extraTypes: readonly string[] = []): unknown {
  const body = bodyBuffer(event);
  if (body.length > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body must be at most ${maxBytes} bytes`);
  const type = (header(event, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type) && !extraTypes.includes(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The body is not valid JSON');
  }
}

/** A failure of the store or the queue that a retry may not meet: the caller is told to retry (503), not that we broke (500). */
export function isDependencyUnavailable(error: unknown): boolean {
  if (error instanceof Unavailable) return true;
  // A transaction that met another one and was not retried: a retry will meet it no longer. A failed condition is not
  // this: where it escapes, no use case expected it (a bug).
  if (error instanceof Conflict && !(error instanceof ConditionFailed)) return true;
  // The queue's client reports the SDK's own errors: told apart where the store's are (store/sdk-errors.ts).
  return isUnavailableError(error);
}

export const dependencyUnavailable = () => {
  const error = new HttpError(503, 'STORE_UNAVAILABLE', 'The data store did not answer in time; retry later');
  error.headers = { 'retry-after': '1' };
  return error;
};

/** A use case's refusal (lambdas/app/errors.ts) as the HTTP error it answers with; undefined for any other error. */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof NotFoundError) return new HttpError(404, 'NOT_FOUND', error.message);
  if (error instanceof ConflictError) return new HttpError(409, error.code, error.message, error.errors);
  if (error instanceof ValidationError) return new HttpError(400, error.code, error.message, error.errors);
  // An altered link is refused like a wrong credential; an expired one (or one whose user is gone) is gone for good.
  if (error instanceof ActionLinkError) {
    return error.reason === 'invalid' ? new HttpError(401, 'INVALID_ACTION_LINK', error.message) : new HttpError(410, 'ACTION_LINK_EXPIRED', error.message);
  }
  return undefined;
}

/**
 * Runs a request's work and maps every failure to the error shape: HttpErrors and the use cases' refusals as their
 * 4xx, a dependency that timed out or is unreachable as a 503 with Retry-After, anything else as a logged 500.
 */
export async function respond(
  work: () => Promise<HttpResponse>,
  hooks: { rejected?: (error: HttpError) => void; unexpected: (error: unknown) => void },
): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    const refusal = httpErrorOf(error);
    if (refusal) {
      hooks.rejected?.(refusal);
      return refusal.toResponse();
    }
    hooks.unexpected(error);
    if (isDependencyUnavailable(error)) return dependencyUnavailable().toResponse();
    return new HttpError(500, 'INTERNAL_ERROR', 'Unexpected error').toResponse();
  }
}
