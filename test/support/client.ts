// Test client for a running local runtime: the events API, the management API, and waiting for the pipeline.
import type { RuntimeProcess } from '../../local/child';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function clientFor(rt: Pick<RuntimeProcess, 'url' | 'adminToken'>) {
  async function request<T = any>(
    method: string,
    path: string,
    init: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== null) headers.authorization ??= `Bearer ${init.token ?? rt.adminToken}`;
    let body: string | Buffer | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${rt.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text, the test will say so
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  const api = {
    request,
    /** POST an event without any Authorization header, as integrations do. */
    postEvent: (event: unknown, path = '/api/events', headers: Record<string, string> = {}) => request('POST', path, { body: event, token: null, headers }),
    createSource: async (settings: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      const res = await request('POST', '/api/alert-sources', { body: { name: `source ${Math.random().toString(36).slice(2)}`, ...settings }, headers });
      if (res.status !== 201) throw new Error(`could not create an alert source: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; integrationKey: string; apiKey: string } & Record<string, any>;
    },
    event: (eventId: string) => request('GET', `/api/events/${eventId}`),
    alerts: (query = '') => request<{ items: any[]; nextCursor?: string }>('GET', `/api/alerts${query ? `?${query}` : ''}`),
    /** Waits until every event given has left QUEUED, and returns their records. */
    applied: async (eventIds: string[], timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      const records = new Map<string, any>();
      const lastSeen = new Map<string, string>();
      while (records.size < eventIds.length) {
        for (const id of eventIds) {
          if (records.has(id)) continue;
          const res = await request('GET', `/api/events/${id}`);
          if (res.status === 200 && res.body.outcome !== 'QUEUED') records.set(id, res.body);
          else lastSeen.set(id, res.status === 200 ? 'QUEUED' : `answered ${res.status}`);
        }
        if (records.size < eventIds.length) {
          const pending = eventIds.filter((id) => !records.has(id)).map((id) => `${id} (${lastSeen.get(id)})`);
          if (Date.now() > deadline) throw new Error(`events not applied after ${timeoutMs} ms: ${pending.join(', ')}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      return eventIds.map((id) => records.get(id));
    },
  };

  /** Posts events one after the other (their order is the order of acceptance), asserting 202, and waits until all are applied. */
  async function send(...events: Record<string, unknown>[]) {
    return sendWaiting(15_000, ...events);
  }

  /** send(), waiting up to `timeoutMs` for the events to be applied. */
  async function sendWaiting(timeoutMs: number, ...events: Record<string, unknown>[]) {
    const ids: string[] = [];
    for (const event of events) {
      const res = await api.postEvent(event);
      if (res.status !== 202) throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.eventId);
    }
    return api.applied(ids, timeoutMs);
  }

  return { ...api, send, sendWaiting };
}
