// Alert data carrying script payloads renders inert in the web UI: no dialog, no script run, no request to another host,
// no clickable javascript: link; and the Content-Security-Policy header comes with every page.
import type { Page } from 'playwright-core';
import { headingText, signIn, startUi, visible, type UiSession } from './support';

jest.setTimeout(180_000);

let ui: UiSession;
let integrationKey: string;

beforeAll(async () => {
  ui = await startUi();
  integrationKey = (await ui.client.createSource({ name: 'Hostile tool' })).integrationKey;
});
afterAll(() => ui?.close());

/** Every payload sets window.__xss or opens a dialog if it runs, or reaches out to evil.invalid if it loads. */
const RUN = `window.__xss=1;alert(1)`;
const FOREIGN = 'http://evil.invalid';
const SUMMARY = `<img src=x onerror="${RUN}"><script>${RUN}</script> summary`;
const DETAILS = [
  '# Payloads',
  `<img src=x onerror="${RUN}">`,
  `<script>${RUN}</script>`,
  `<script src="${FOREIGN}/x.js"></script>`,
  `[click me](javascript:${RUN})`,
  `[click me too](JaVaScRiPt:alert(1))`,
  `<a href="javascript:${RUN}">raw link</a>`,
  `<iframe src="javascript:${RUN}"></iframe>`,
  `<iframe src="${FOREIGN}/frame"></iframe>`,
  `<svg onload="${RUN}"><circle r=1 /></svg>`,
  `<div style="background:url(${FOREIGN}/bg.png)" onmouseover="${RUN}">hover</div>`,
  `<style>@import url(${FOREIGN}/x.css);</style>`,
  `<link rel="stylesheet" href="${FOREIGN}/y.css">`,
  `<form action="${FOREIGN}/post"><button>go</button></form>`,
  `<object data="${FOREIGN}/o.swf"></object>`,
  `![img](javascript:${RUN})`,
  `<img src="data:image/svg+xml,<svg onload=alert(1)>">`,
  `<details open ontoggle="${RUN}">x</details>`,
  '[a plain link](https://example.com/ok)',
].join('\n\n');
const CUSTOM_DETAILS = {
  '<img src=x onerror=alert(1)>': `<script>${RUN}</script>`,
  nested: { deeper: [`<svg onload="${RUN}">`, { html: `<iframe src="javascript:${RUN}">` }] },
};
const LINKS = [{ href: 'https://example.com/page', text: `<img src=x onerror="${RUN}">` }];

async function sendAlert(event: Record<string, unknown>): Promise<string> {
  const [applied] = await ui.client.send({ apiKey: integrationKey, eventType: 'ALERT', ...event });
  return applied.alertId;
}

/** A signed-in page that records every dialog and every request leaving the runtime's host. */
async function watchedPage(): Promise<{ page: Page; dialogs: string[]; foreign: string[] }> {
  const page = await ui.newPage();
  const dialogs: string[] = [];
  const foreign: string[] = [];
  const own = new URL(ui.rt.url).host;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (req) => {
    const url = new URL(req.url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host !== own) foreign.push(req.url());
  });
  await signIn(page, ui.rt.adminToken);
  return { page, dialogs, foreign };
}

const xssRan = (page: Page) => page.evaluate(() => (globalThis as any).__xss !== undefined);

it('refuses javascript: and data: URLs for links and images at the API, naming the field', async () => {
  const refused = await ui.client.postEvent({
    apiKey: integrationKey,
    eventType: 'ALERT',
    summary: 'bad urls',
    links: [{ href: `javascript:${RUN}` }],
    images: [{ src: 'data:image/png;base64,AAAA' }, { src: 'https://example.com/a.png', href: 'javascript:alert(1)' }],
  });
  expect(refused.status).toBe(400);
  const paths = refused.body.errors.map((e: { path: string }) => e.path);
  expect(paths).toEqual(expect.arrayContaining(['links.0.href', 'images.0.src', 'images.1.href']));
});

describe('an alert whose every field carries a payload', () => {
  let alertId: string;

  beforeAll(async () => {
    alertId = await sendAlert({
      summary: SUMMARY,
      details: DETAILS,
      customDetails: CUSTOM_DETAILS,
      links: LINKS,
      alertKey: `<b>key</b><script>${RUN}</script>`,
    });
  });

  it('renders inert in the alerts table', async () => {
    const { page, dialogs, foreign } = await watchedPage();
    await visible(page.getByRole('link', { name: SUMMARY }), 10_000);
    expect(await xssRan(page)).toBe(false);
    expect(dialogs).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('renders inert on its page: the summary as text, no script, frame, handler or javascript: link', async () => {
    const { page, dialogs, foreign } = await watchedPage();
    await page.goto(`/alerts/${alertId}`);
    expect(await headingText(page, SUMMARY)).toBe(SUMMARY);
    // The sanitized markdown is there: its heading and the plain https link.
    await visible(page.getByRole('heading', { name: 'Payloads' }));
    const safe = page.getByRole('link', { name: 'a plain link' });
    expect(await safe.getAttribute('href')).toBe('https://example.com/ok');
    expect(await safe.getAttribute('target')).toBe('_blank');
    expect((await safe.getAttribute('rel'))?.split(/\s+/)).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
    // Give any handler the chance to fire: hover and focus everything that could carry one.
    await page
      .getByText('hover')
      .first()
      .hover()
      .catch(() => undefined);

    const dom = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const all: any[] = Array.from(doc.querySelectorAll('body *'));
      return {
        scripts: doc.querySelectorAll('body script').length,
        frames: doc.querySelectorAll('iframe, frame, object, embed, form').length,
        handlers: all.flatMap((el) =>
          Array.from(el.attributes as ArrayLike<{ name: string }>)
            .filter((a) => /^on/i.test(a.name))
            .map((a) => a.name),
        ),
        urls: all.flatMap((el) =>
          ['href', 'src', 'action', 'xlink:href', 'formaction'].map((name) => el.getAttribute(name)).filter((v: string | null) => v !== null),
        ),
      };
    });
    expect(dom.scripts).toBe(0);
    expect(dom.frames).toBe(0);
    expect(dom.handlers).toEqual([]);
    expect(dom.urls.filter((url: string) => /^\s*(javascript|data|vbscript):/i.test(url))).toEqual([]);
    // The javascript: links stay as their text, not clickable.
    await visible(page.getByText('click me', { exact: true }).first());
    expect(await page.getByRole('link', { name: /click me|raw link/ }).count()).toBe(0);
    // The custom details and the link text are text.
    await visible(page.getByText('<img src=x onerror=alert(1)>').first());
    await visible(page.getByRole('link', { name: LINKS[0].text }));

    expect(await xssRan(page)).toBe(false);
    expect(dialogs).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('sends the Content-Security-Policy on /, on /alerts/<id> and on /signin, forbidding inline script and frames', async () => {
    for (const path of ['/', `/alerts/${alertId}`, '/signin']) {
      const res = await fetch(`${ui.rt.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
