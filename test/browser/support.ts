// Browser-test harness: Debian's chromium driven by playwright-core against a real local runtime serving the built UI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

/** Debian's chromium (CHROMIUM_PATH overrides it); nothing downloads a browser. Root cannot use chromium's sandbox. */
export function launchBrowser(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: asRoot ? ['--no-sandbox'] : [],
  });
}

export interface UiSession {
  rt: RuntimeProcess;
  client: ReturnType<typeof clientFor>;
  browser: Browser;
  /** A fresh context per call: its own session storage, so one test's sign-in does not leak into another. */
  newPage: () => Promise<Page>;
  close: () => Promise<void>;
}

/** Starts a runtime and a browser; `close` stops both. */
export async function startUi(options: Parameters<typeof startRuntimeProcess>[0] = {}): Promise<UiSession> {
  const [rt, browser] = await Promise.all([startRuntimeProcess(options), launchBrowser()]);
  return {
    rt,
    client: clientFor(rt),
    browser,
    newPage: async () => {
      const context = await browser.newContext({ baseURL: rt.url });
      return context.newPage();
    },
    close: async () => {
      await browser.close();
      await rt.stop();
    },
  };
}

/** Signs in through the form as a user does, and waits for the alerts table. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table').waitFor();
}

/** Runs a command line with curl, as the README or the page prints it (no shell: the arguments are given apart). */
export async function curl(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('curl', args, { timeout: 15_000 });
  return stdout;
}

/** Sends an event the way the README does: `curl -sS -X POST <url>/api/events -H 'Content-Type: application/json' -d '<json>'`. */
export async function curlEvent(url: string, event: Record<string, unknown>): Promise<{ eventId: string; alertKey: string; status: string }> {
  return JSON.parse(await curl(['-sS', '-X', 'POST', `${url}/api/events`, '-H', 'Content-Type: application/json', '-d', JSON.stringify(event)]));
}

/** Waits until a locator's element is visible (playwright-core has no `expect`; a timeout fails the test with its message). */
export const visible = (locator: Locator, timeoutMs = 10_000): Promise<void> => locator.waitFor({ state: 'visible', timeout: timeoutMs });

/** The page's <h1> text once it reads `expected` (or what it reads after 10 s, for the failure message). */
export async function headingText(page: Page, expected: string): Promise<string | null> {
  const heading = page.getByRole('heading', { level: 1 });
  await heading
    .filter({ hasText: expected })
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined);
  return heading.first().textContent();
}
