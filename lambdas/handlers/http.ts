// HTTP edge helpers: JSON responses and the one error shape every route answers with.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError } from '../domain/validation';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const errorResponse = (status: number, code: string, message: string, errors?: FieldError[], headers?: Record<string, string>) =>
  json(status, { status, code, message, ...(errors ? { errors } : {}) }, headers);

export class HttpError extends Error {
  /** Extra response headers, e.g. Retry-After on a 429. */
  headers?: Record<string, string>;

  constructor(readonly status: number, readonly code: string, message: string, readonly errors?: FieldError[]) {
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
export function parseJsonBody(event: APIGatewayProxyEventV2, maxBytes: number): unknown {
  const body = bodyBuffer(event);
  if (body.length > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body must be at most ${maxBytes} bytes`);
  const type = (header(event, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The body is not valid JSON');
  }
}

/** SDK error names that say a dependency is slow, unreachable or overloaded, not that the request is wrong. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError', 'AbortError', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded',
  'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException', 'TransactionConflictException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A failure of the store or the queue that a retry may not meet: the caller is told to retry (503), not that we broke (500). */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  return UNAVAILABLE_NAMES.has(e.name) || NETWORK_CODES.has(e.code ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500 || Boolean(e.$retryable);
}

export const dependencyUnavailable = () => {
  const error = new HttpError(503, 'STORE_UNAVAILABLE', 'The data store did not answer in time; retry later');
  error.headers = { 'retry-after': '1' };
  return error;
};

/**
 * Runs a request's work and maps every failure to the error shape: HttpErrors as they are, a dependency that timed
 * out or is unreachable as a 503 with Retry-After, anything else as a logged 500.
 */
export async function respond(
  work: () => Promise<HttpResponse>,
  hooks: { rejected?: (error: HttpError) => void; unexpected: (error: unknown) => void },
): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) {
      hooks.rejected?.(error);
      return error.toResponse();
    }
    hooks.unexpected(error);
    if (isDependencyUnavailable(error)) return dependencyUnavailable().toResponse();
    return new HttpError(500, 'INTERNAL_ERROR', 'Unexpected error').toResponse();
  }
}
