// An alert's whole log, read page by page, for tests that check every entry (a page holds at most 100).
import type { Reply } from './client';

type Requester = { request: (method: string, path: string) => Promise<Reply> };

/** Every entry, oldest first; a page that is not a 200 fails the test, and a cursor that never ends is a failure too. */
export async function allLogEntries(client: Requester, alertId: string, maxPages = 1000): Promise<any[]> {
  const entries: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await client.request('GET', `/api/alerts/${alertId}/log-entries?limit=100${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET log-entries of ${alertId} answered ${res.status} ${JSON.stringify(res.body)}`);
    entries.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return entries;
  }
  throw new Error(`the log of ${alertId} has more than ${maxPages} pages`);
}
