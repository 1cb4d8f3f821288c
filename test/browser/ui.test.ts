// The web UI in Debian's chromium against a real local runtime: sign in, live alerts, the alert page's actions, alert
// sources made in the UI, deep links and a long list paged through the API.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { curlEvent, headingText, signIn, startUi, visible, type UiSession } from './support';

jest.setTimeout(180_000);

let ui: UiSession;
let page: Page;
let integrationKey: string;

beforeAll(async () => {
  ui = await startUi();
  integrationKey = (await ui.client.createSource({ name: 'Browser tests' })).integrationKey;
  page = await ui.newPage();
});
afterAll(() => ui?.close());

const unique = (prefix: string) => `${prefix} ${Math.random().toString(36).slice(2, 10)}`;

/** Waits until the API shows the alert in a state the test expects (the UI answered; the pipeline may lag behind). */
const alertWhere = (id: string, holds: (alert: any) => boolean, what: string) =>
  waitFor(
    async () => {
      const res = await ui.client.request('GET', `/api/alerts/${id}`);
      return res.status === 200 && holds(res.body) ? res.body : undefined;
    },
    { timeoutMs: 10_000, what },
  );

/** Marks the document, so a test can tell later that the page was not reloaded. */
const markDocument = (p: Page) => p.evaluate(() => ((globalThis as any).__notReloaded = true));
const stillSameDocument = (p: Page) => p.evaluate(() => (globalThis as any).__notReloaded === true);

it('refuses a wrong token with a message in role="alert", and keeps the sign-in form', async () => {
  const other = await ui.newPage();
  await other.goto('/signin');
  await other.getByLabel('Admin token').fill('not-the-token');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await visible(other.getByRole('alert').first(), 5_000);
  await visible(other.getByLabel('Admin token'));
  expect(await other.evaluate(() => (globalThis as any).sessionStorage.getItem('alertline.token'))).not.toBe('not-the-token');
});

describe('an alert sent with curl', () => {
  const summary = unique('Disk full on db-1');
  let alertId: string;

  it('appears in the signed-in alerts table without a reload, within 5 s of being applied', async () => {
    await signIn(page, ui.rt.adminToken);
    await markDocument(page);
    const sent = await curlEvent(ui.rt.url, { apiKey: integrationKey, eventType: 'ALERT', summary });
    expect(sent.status).toBe('QUEUED');
    const [event] = await ui.client.applied([sent.eventId]);
    alertId = event.alertId;
    await visible(page.getByRole('link', { name: summary }), 5_000);
    expect(await stillSameDocument(page)).toBe(true);
  });

  it('opens on its own page, where Accept makes the API say ACCEPTED', async () => {
    await page.getByRole('link', { name: summary }).click();
    await page.waitForURL(`**/alerts/${alertId}`);
    expect(await headingText(page, summary)).toBe(summary);
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await alertWhere(alertId, (a) => a.status === 'ACCEPTED', 'the alert to be ACCEPTED');
  });

  it('is rerouted to another escalation policy with Reroute', async () => {
    const name = unique('Database team');
    const created = await ui.client.request('POST', '/api/escalation-policies', { body: { name, escalationRules: [{ escalationTimeout: 0 }] } });
    expect(created.status).toBe(201);
    // The policy list was read when the page opened: reload so that the select offers the new policy.
    await page.reload();
    await page.getByRole('button', { name: 'Reroute', exact: true }).click();
    await page.getByLabel('Escalation policy').selectOption({ label: name });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await alertWhere(alertId, (a) => a.escalationPolicy?.id === created.body.id, `the alert to be rerouted to ${created.body.id}`);
  });

  it('is resolved with Resolve', async () => {
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await alertWhere(alertId, (a) => a.status === 'RESOLVED', 'the alert to be RESOLVED');
  });

  it('loads from a deep link /alerts/<id>', async () => {
    await page.goto('/alerts');
    await page.goto(`/alerts/${alertId}`);
    expect(await headingText(page, summary)).toBe(summary);
  });
});

it('creates an alert source whose curl, run as shown, opens an alert that the table lists', async () => {
  const name = unique('Checkout service');
  await page.goto('/alert-sources/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: /^(Create|Save)/ }).click();
  const shown = page.locator('pre, code').filter({ hasText: /curl / }).first();
  await visible(shown, 10_000);
  const command = (await shown.innerText()).trim();
  const { stdout } = await promisify(execFile)('sh', ['-c', command], { timeout: 15_000 });
  const sent = JSON.parse(stdout);
  expect(sent.status).toBe('QUEUED');
  const [event] = await ui.client.applied([sent.eventId]);
  const alert = (await ui.client.request('GET', `/api/alerts/${event.alertId}`)).body;
  const source = (await ui.client.request('GET', `/api/alert-sources/${alert.alertSourceId}`)).body;
  expect(source.name).toBe(name);
  await page.goto('/alerts');
  await visible(page.getByRole('link', { name: alert.summary }).first(), 5_000);
});

it('filters the table by status tab, alert source and alert key', async () => {
  const [one, two] = [unique('Filter source one'), unique('Filter source two')];
  const keys = { one: (await ui.client.createSource({ name: one })).integrationKey, two: (await ui.client.createSource({ name: two })).integrationKey };
  const [a, b] = [unique('Queue backlog'), unique('Latency spike')];
  const keyB = unique('latency').replace(' ', '-');
  const [, applied] = await ui.client.send(
    { apiKey: keys.one, eventType: 'ALERT', summary: a },
    { apiKey: keys.two, eventType: 'ALERT', summary: b, alertKey: keyB },
  );
  await ui.client.request('PUT', `/api/alerts/${applied.alertId}/resolve`);
  const shows = async (summary: string) => (await page.getByRole('link', { name: summary }).count()) > 0;
  const waitShowing = (wanted: string, hidden: string, what: string) =>
    waitFor(async () => (await shows(wanted)) && !(await shows(hidden)), { timeoutMs: 5_000, what });

  await page.goto('/alerts');
  const headers = await page.getByRole('columnheader').allInnerTexts();
  expect(headers.map((h) => h.trim())).toEqual(['Summary', 'Status', 'Priority', 'Alert source', 'Alert key', 'Created', 'Events']);
  const tabs = page.getByRole('tablist').getByRole('tab');
  expect(await tabs.allInnerTexts()).toEqual(['Pending', 'Accepted', 'Resolved', 'All']);
  await page.getByRole('tab', { name: 'Resolved' }).click();
  expect(await page.getByRole('tab', { name: 'Resolved' }).getAttribute('aria-selected')).toBe('true');
  await waitShowing(b, a, `the Resolved tab to list "${b}" only`);
  await page.getByRole('tab', { name: 'All' }).click();
  await page.getByLabel('Alert source').selectOption({ label: one });
  await waitShowing(a, b, `the source filter to list "${a}" only`);
  await page.getByLabel('Alert source').selectOption({ index: 0 });
  await page.getByLabel('Alert key').fill(keyB);
  await page.getByLabel('Alert key').press('Enter');
  await waitShowing(b, a, `the key search to list "${b}" only`);
});

describe('a list of 500 alerts', () => {
  /** Alert list requests (not one alert's), in the order sent, with how many were in flight when each started. */
  const listRequests: { url: URL; inFlight: number }[] = [];

  beforeAll(async () => {
    const { integrationKey: key } = await ui.client.createSource({ name: 'Many alerts' });
    const ids: string[] = [];
    // Eight clients side by side: the pipeline, not the posting, sets the pace.
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let i = worker; i < 500; i += 8) {
          const res = await ui.client.postEvent({ apiKey: key, eventType: 'ALERT', summary: `Bulk alert ${i}`, alertKey: `bulk-${i}` });
          if (res.status !== 202) throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
          ids.push(res.body.eventId);
        }
      }),
    );
    await ui.client.applied(ids, 120_000);
  });

  it('shows a first page promptly with Load more, one page request at a time, and the next page only when asked', async () => {
    const list = await ui.newPage();
    // Pages past the first (nextCursor) in flight at once; the first page's refresh every few seconds may overlap them.
    let inFlight = 0;
    const isList = (url: string) => new URL(url).pathname.replace(/\/$/, '') === '/api/alerts';
    const isLaterPage = (url: string) => isList(url) && new URL(url).searchParams.has('nextCursor');
    list.on('request', (req) => {
      if (!isList(req.url())) return;
      if (isLaterPage(req.url())) inFlight++;
      listRequests.push({ url: new URL(req.url()), inFlight });
    });
    const done = (req: { url: () => string }) => isLaterPage(req.url()) && inFlight--;
    list.on('requestfinished', done);
    list.on('requestfailed', done);

    const started = Date.now();
    await signIn(list, ui.rt.adminToken);
    await list.getByRole('tab', { name: 'All' }).click();
    const loadMore = list.getByRole('button', { name: 'Load more' });
    await visible(loadMore, 10_000);
    const elapsed = Date.now() - started;
    const rows = list.locator('tbody tr');
    const firstPage = await rows.count();
    expect(firstPage).toBeGreaterThan(0);
    expect(firstPage).toBeLessThanOrEqual(100);
    expect(elapsed).toBeLessThan(10_000);
    expect(listRequests.every((r) => !r.url.searchParams.has('nextCursor'))).toBe(true);

    await loadMore.click();
    await waitFor(async () => (await rows.count()) > firstPage, { timeoutMs: 10_000, what: 'a second page of rows' });
    expect(await rows.count()).toBeLessThanOrEqual(firstPage * 2);
    expect(listRequests.filter((r) => r.url.searchParams.has('nextCursor'))).toHaveLength(1);
    expect(Math.max(...listRequests.filter((r) => r.url.searchParams.has('nextCursor')).map((r) => r.inFlight))).toBe(1);
  });
});
