// The management API client: the admin token in session storage, JSON in and out, error answers as ApiError.
const TOKEN_KEY = 'alertline.token';

export interface FieldError {
  path: string;
  message: string;
}

/** An error answer of the API (or a failure to reach it, status 0), in the API's own error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

let onUnauthorized: () => void = () => undefined;
/** The app decides where a refused token leads (the sign-in page); the client only reports it. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Checks this token instead of the stored one, and leaves a 401 to the caller (the sign-in form). */
  token?: string;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.token ?? getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    res = await fetch(withQuery(path, options.query), { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Could not reach the server. Check your connection and try again.');
  }
  const payload = await readJson(res);
  if (res.ok) return payload as T;
  const error = toApiError(res, payload);
  if (res.status === 401 && options.token === undefined) {
    clearToken();
    onUnauthorized();
  }
  throw error;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(res: Response, payload: unknown): ApiError {
  const body = (payload ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
  const errors = Array.isArray(body.errors) ? body.errors.filter((e): e is FieldError => typeof e?.path === 'string' && typeof e?.message === 'string') : [];
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : `The server answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, code, message, errors);
}

export const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, { body });
export const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, { body });
export const del = (path: string) => request<void>('DELETE', path);

/** A path segment from data (an id), escaped so it can never change the path it is put into. */
export const seg = (value: string): string => encodeURIComponent(value);

/** The items of a paged list, page after page, up to `maxPages` (a bound: a huge list must not freeze the tab). */
export async function getAll<T>(path: string, query: Query = {}, maxPages = 10): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer: Page<T> = await get<Page<T>>(path, { ...query, nextCursor: cursor });
    items.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}
