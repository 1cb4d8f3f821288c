// The management pages in Debian's chromium against a real local runtime: users with contacts and write-only secrets,
// escalation policies with their rules, alert sources (disable, copy key, delete), and API errors next to their fields.
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { signIn, startUi, visible, type UiSession } from './support';

jest.setTimeout(180_000);

let ui: UiSession;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  // Private webhook targets refused, as in production, so the UI has a field error to show.
  ui = await startUi({ env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' } });
  // The clipboard permission lets the Copy button's copy be read back.
  context = await ui.browser.newContext({ baseURL: ui.rt.url, permissions: ['clipboard-read', 'clipboard-write'] });
  page = await context.newPage();
  await signIn(page, ui.rt.adminToken);
});
afterAll(() => ui?.close());

const unique = (prefix: string) => `${prefix} ${Math.random().toString(36).slice(2, 8)}`;

/** The API's view of a resource once it satisfies `holds` (the UI's request may still be in flight). */
const apiWhere = (path: string, holds: (body: any) => boolean, what: string) =>
  waitFor(
    async () => {
      const res = await ui.client.request('GET', path);
      return res.status === 200 && holds(res.body) ? res.body : undefined;
    },
    { timeoutMs: 10_000, what },
  );

/** The id at the end of the page's URL once the create form has moved to the new resource's page. */
async function createdId(prefix: string): Promise<string> {
  await page.waitForURL((url) => url.pathname.startsWith(`${prefix}/`) && !url.pathname.endsWith('/new'), { timeout: 10_000 });
  return decodeURIComponent(new URL(page.url()).pathname.slice(prefix.length + 1));
}

/** The text of a field's error: the element its aria-describedby names, which is a role="alert". */
async function fieldError(label: string): Promise<string> {
  const field = page.getByLabel(label, { exact: true });
  await waitFor(() => field.getAttribute('aria-describedby'), { timeoutMs: 10_000, what: `an error described by the field "${label}"` });
  const error = page.locator(`#${await field.getAttribute('aria-describedby')}`);
  expect(await error.getAttribute('role')).toBe('alert');
  return (await error.innerText()).trim();
}

describe('a user', () => {
  let userId: string;
  const first = unique('Uma');

  it('is created with a webhook contact whose secret is write-only, and a private target is refused next to its field', async () => {
    await page.goto('/users/new');
    await page.getByLabel('First name').fill(first);
    await page.getByLabel('Last name').fill('Oncall');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel('Type').selectOption('WEBHOOK');
    await page.getByLabel('URL (https:)').fill('https://127.0.0.1/hook');
    await page.getByLabel('Signing secret (optional)').fill('a-long-random-secret');
    await page.getByLabel('Low', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await fieldError('URL (https:)')).not.toBe('');
    await visible(page.locator('.error-banner[role="alert"]'));

    await page.getByLabel('URL (https:)').fill('https://hooks.example.com/alertline');
    await page.getByRole('button', { name: 'Create' }).click();
    userId = await createdId('/users');
    const user = await apiWhere(`/api/users/${userId}`, (u) => u.firstName === first, 'the created user');
    expect(user.contacts).toEqual([{ type: 'WEBHOOK', target: 'https://hooks.example.com/alertline', priorities: ['HIGH'], hasSecret: true }]);
  });

  it('keeps its secret when saved with the secret field left empty', async () => {
    const secretField = page.getByLabel('Signing secret (secret set: leave empty to keep it)');
    await visible(secretField);
    expect(await secretField.inputValue()).toBe('');
    await page.getByLabel('Last name').fill('Oncall-Smith');
    await page.getByRole('button', { name: 'Save' }).click();
    const user = await apiWhere(`/api/users/${userId}`, (u) => u.lastName === 'Oncall-Smith', 'the renamed user');
    expect(user.contacts[0].hasSecret).toBe(true);
  });

  describe('named by an escalation policy made in the UI', () => {
    let policyId: string;
    const policyName = unique('Database team');

    it('is picked for a rule, with routing key and repeating saved as entered', async () => {
      await page.goto('/escalation-policies/new');
      await page.getByLabel('Name', { exact: true }).fill(policyName);
      await page.getByLabel('Routing key (optional)').fill(unique('team-db').replace(' ', '-'));
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.getByLabel('Escalate after (minutes)').fill('10');
      await page.getByRole('button', { name: 'Add user to rule 2' }).click();
      await page.getByLabel('User 1 of rule 2').selectOption({ label: `${first} Oncall-Smith` });
      await page.getByLabel('Repeat the rules while the alert is pending').check();
      await page.getByLabel('Rounds to repeat (1 to 9)').fill('10');
      await page.getByRole('button', { name: 'Create' }).click();
      expect(await fieldError('Rounds to repeat (1 to 9)')).not.toBe('');

      await page.getByLabel('Rounds to repeat (1 to 9)').fill('2');
      await page.getByRole('button', { name: 'Create' }).click();
      policyId = await createdId('/escalation-policies');
      const policy = await apiWhere(`/api/escalation-policies/${policyId}`, (p) => p.name === policyName, 'the created policy');
      expect(policy.escalationRules).toEqual([
        { escalationTimeout: 0, users: [] },
        { escalationTimeout: 10, users: [{ id: userId }] },
      ]);
      expect({ repeating: policy.repeating, frequency: policy.frequency }).toEqual({ repeating: true, frequency: 2 });
    });

    it('cannot be deleted: the 409 USER_IN_USE message is shown and the user stays', async () => {
      await page.goto(`/users/${userId}`);
      await page.getByRole('button', { name: 'Delete' }).click();
      // The confirm button takes the focus, so the keyboard confirms with Enter.
      const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.textContent);
      await waitFor(async () => (await focused()) === 'Yes, delete', { timeoutMs: 5_000, what: 'the focus on "Yes, delete"' });
      await page.keyboard.press('Enter');
      const banner = page.locator('.error-banner[role="alert"]');
      await visible(banner);
      expect(await banner.innerText()).toContain(policyName);
      expect((await ui.client.request('GET', `/api/users/${userId}`)).status).toBe(200);
    });

    it('is removed from the rule, after which the policy and then the user are deleted', async () => {
      await page.goto(`/escalation-policies/${policyId}`);
      await page.getByRole('button', { name: 'Remove user 1 of rule 2' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await apiWhere(`/api/escalation-policies/${policyId}`, (p) => p.escalationRules[1].users.length === 0, 'the user removed from rule 2');
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await page.waitForURL('**/escalation-policies', { timeout: 10_000 });
      expect((await ui.client.request('GET', `/api/escalation-policies/${policyId}`)).status).toBe(404);

      await page.goto(`/users/${userId}`);
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await page.waitForURL('**/users', { timeout: 10_000 });
      expect((await ui.client.request('GET', `/api/users/${userId}`)).status).toBe(404);
    });
  });
});

describe('an alert source', () => {
  let source: { id: string; integrationKey: string };
  const policyName = unique('Payments team');

  beforeAll(async () => {
    source = await ui.client.createSource({ name: unique('Payments') });
    const policy = await ui.client.request('POST', '/api/escalation-policies', { body: { name: policyName, escalationRules: [{ escalationTimeout: 0 }] } });
    expect(policy.status).toBe(201);
  });

  it('copies its integration key with the Copy button', async () => {
    await page.goto(`/alert-sources/${source.id}`);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await visible(page.getByText('Copied.'));
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(source.integrationKey);
  });

  it('is disabled and given a policy in the form, and the list says Disabled', async () => {
    await page.getByLabel('Escalation policy').selectOption({ label: policyName });
    await page.getByLabel('Active (accepts events)').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByText('Saved.'));
    const saved = await apiWhere(`/api/alert-sources/${source.id}`, (s) => s.active === false, 'the source disabled');
    expect(saved.escalationPolicy?.id).toBeDefined();
    await page.goto('/alert-sources');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: saved.name }) });
    await visible(row);
    expect(await row.innerText()).toContain('Disabled');
    expect(await row.innerText()).toContain(policyName);
  });

  it('is deleted after the confirm step', async () => {
    await page.goto(`/alert-sources/${source.id}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await ui.client.request('GET', `/api/alert-sources/${source.id}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL('**/alert-sources', { timeout: 10_000 });
    expect((await ui.client.request('GET', `/api/alert-sources/${source.id}`)).status).toBe(404);
  });
});

describe('axe-core', () => {
  /** The serious and critical violations on the page as it is now, one line each for the failure message. */
  async function seriousViolations(): Promise<string[]> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }

  it('finds no serious or critical violation on the lists', async () => {
    for (const [path, heading] of [
      ['/alert-sources', 'Alert sources'],
      ['/escalation-policies', 'Escalation policies'],
      ['/users', 'Users'],
    ]) {
      await page.goto(path);
      await visible(page.getByRole('heading', { level: 1, name: heading }));
      expect(await seriousViolations()).toEqual([]);
    }
  });

  it('finds none on a user form showing a field error, nor on a policy form with two rules', async () => {
    await page.goto('/users/new');
    await page.getByLabel('First name').fill('Axe');
    await page.getByLabel('Last name').fill('Checker');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel('Type').selectOption('WEBHOOK');
    await page.getByLabel('URL (https:)').fill('https://10.0.0.1/hook');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await fieldError('URL (https:)')).not.toBe('');
    expect(await seriousViolations()).toEqual([]);

    await page.goto('/escalation-policies/new');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await visible(page.getByLabel('Escalate after (minutes)'));
    expect(await seriousViolations()).toEqual([]);
  });
});
