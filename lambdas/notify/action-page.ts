// The HTML pages of an action link: the confirm page a GET shows (it changes nothing; the form POSTs), and an error page.

/**
 * Headers for these pages: no script may run, the form may only post back here, nothing is cached (the URL holds a
 * credential), no page may frame it, and the token is not sent on as a Referer.
 */
export const ACTION_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

const escape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}';

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(title)}</title><style>${STYLE}</style></head>`,
    `<body>${body}</body></html>`,
  ].join('\n');
}

export interface ConfirmPageInput {
  action: 'accept' | 'resolve';
  alert: { summary: string; priority: string; status: string };
  /** "Uma Oncall": whom the link was sent to. */
  userName: string;
}

/**
 * What a GET answers. Mail scanners and link previews follow links, so the action needs a deliberate POST: a plain
 * form with no action attribute posts to this same URL, and works without script.
 */
export function actionConfirmPage({ action, alert, userName }: ConfirmPageInput): string {
  const verb = action === 'accept' ? 'Accept' : 'Resolve';
  return page(
    `${verb} alert`,
    [
      `<h1>${verb} this alert?</h1>`,
      `<p><strong>[${escape(alert.priority)}] ${escape(alert.summary)}</strong></p>`,
      `<p>Status now: ${escape(alert.status)}. You act as ${escape(userName)}.</p>`,
      `<form method="post"><button type="submit">${verb} alert</button></form>`,
    ].join('\n'),
  );
}

/** A short page for a link that cannot be used (altered, expired, alert gone). */
export function actionErrorPage(title: string, message: string): string {
  return page(title, `<h1>${escape(title)}</h1>\n<p>${escape(message)}</p>`);
}
