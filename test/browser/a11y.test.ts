// Accessibility of the web UI: axe-core finds no serious or critical violation on the alerts, alert and alert source
// pages, and the alert page's actions are reached with Tab and triggered with Enter.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { headingText, signIn, startUi, visible, type UiSession } from './support';

jest.setTimeout(180_000);

let ui: UiSession;
let page: Page;
let source: { id: string; integrationKey: string };

beforeAll(async () => {
  ui = await startUi();
  source = await ui.client.createSource({ name: 'Accessibility checks' });
  page = await ui.newPage();
  await signIn(page, ui.rt.adminToken);
});
afterAll(() => ui?.close());

async function newAlert(summary: string): Promise<string> {
  const [applied] = await ui.client.send({
    apiKey: source.integrationKey,
    eventType: 'ALERT',
    summary,
    details: '## What happened\n\nThe disk is **full**. See [the runbook](https://example.com/runbook).',
    images: [{ src: 'https://example.com/graph.png', alt: 'Disk usage graph' }],
    links: [{ href: 'https://example.com/dashboard', text: 'Dashboard' }],
    customDetails: { host: 'db-1', disk: { used: '99%', mount: '/var' } },
  });
  return applied.alertId;
}

/** The serious and critical violations axe finds on the page as it is now, one line each for the failure message. */
async function seriousViolations(p: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page: p }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

const alertWhere = (id: string, holds: (alert: any) => boolean, what: string) =>
  waitFor(
    async () => {
      const res = await ui.client.request('GET', `/api/alerts/${id}`);
      return res.status === 200 && holds(res.body) ? res.body : undefined;
    },
    { timeoutMs: 10_000, what },
  );

describe('axe-core finds no serious or critical violation', () => {
  let alertId: string;
  beforeAll(async () => {
    alertId = await newAlert('Disk full on db-1 (axe)');
  });

  it('on the alerts page', async () => {
    await page.goto('/alerts');
    await visible(page.getByRole('link', { name: 'Disk full on db-1 (axe)' }));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('on an alert page', async () => {
    await page.goto(`/alerts/${alertId}`);
    expect(await headingText(page, 'Disk full on db-1 (axe)')).toBe('Disk full on db-1 (axe)');
    await visible(page.getByRole('button', { name: 'Accept', exact: true }));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('on the alert sources list and an alert source page', async () => {
    await page.goto('/alert-sources');
    await visible(page.getByRole('link', { name: 'Accessibility checks' }));
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`/alert-sources/${source.id}`);
    await visible(page.getByText(source.integrationKey).first());
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('on the sign-in page', async () => {
    const fresh = await ui.newPage();
    await fresh.goto('/signin');
    await visible(fresh.getByLabel('Admin token'));
    expect(await seriousViolations(fresh)).toEqual([]);
  });
});

/** What a focused element is called: a button's or link's text, or a field's label. */
const focusedName = (p: Page) =>
  p.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    if (!el || el === (globalThis as any).document.body) return '(nothing)';
    const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label');
    return String(label ?? el.textContent ?? '').trim();
  });

/** Presses Tab until the focused element is the one named (at most 200 presses: more means it is unreachable). */
async function tabTo(p: Page, name: string): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    await p.keyboard.press('Tab');
    const focused = await focusedName(p);
    if (focused === name) return;
    seen.push(focused);
  }
  throw new Error(`Tab never reached "${name}"; it focused: ${[...new Set(seen)].join(' | ')}`);
}

describe('the keyboard alone', () => {
  it('reaches Accept, Reroute (with its policy select and Save) and Resolve on the alert page, and Enter triggers each', async () => {
    const alertId = await newAlert('Keyboard only');
    const policyName = `Keyboard team ${Math.random().toString(36).slice(2, 8)}`;
    const policy = await ui.client.request('POST', '/api/escalation-policies', { body: { name: policyName, escalationRules: [{ escalationTimeout: 0 }] } });
    expect(policy.status).toBe(201);
    await page.goto(`/alerts/${alertId}`);
    expect(await headingText(page, 'Keyboard only')).toBe('Keyboard only');

    await tabTo(page, 'Accept');
    await page.keyboard.press('Enter');
    await alertWhere(alertId, (a) => a.status === 'ACCEPTED', 'the alert to be ACCEPTED');

    await tabTo(page, 'Reroute');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Escalation policy');
    for (let i = 0; i < 50 && (await page.evaluate(() => (globalThis as any).document.activeElement.value)) !== policy.body.id; i++) {
      await page.keyboard.press('ArrowDown');
    }
    await tabTo(page, 'Save');
    await page.keyboard.press('Enter');
    await alertWhere(alertId, (a) => a.escalationPolicy?.id === policy.body.id, 'the alert to be rerouted');

    await tabTo(page, 'Resolve');
    await page.keyboard.press('Enter');
    await alertWhere(alertId, (a) => a.status === 'RESOLVED', 'the alert to be RESOLVED');
  });
});
