// What a notification says on each channel: the webhook body, the Slack message and the email, built from one view.
import type { Alert } from '../domain/alert';

export type NotificationReason = 'ESCALATION' | 'ACCEPTED' | 'RESOLVED';

/** Everything a message may show: the alert as it is now, whom it goes to, and that user's signed action links. */
export interface NotificationView {
  id: string;
  reason: NotificationReason;
  level: number;
  alert: Pick<Alert, 'id' | 'alertSourceId' | 'alertKey' | 'summary' | 'details' | 'status' | 'priority' | 'createdAt' | 'images' | 'links' | 'customDetails'>;
  alertUrl: string;
  user: { id: string; firstName: string; lastName: string };
  actions: { accept: string; resolve: string };
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** SPEC 7's webhook body, field for field; an absent `details` is null so that receivers see one shape. */
export function webhookBody(view: NotificationView) {
  const { alert } = view;
  return {
    type: 'alert.notification',
    id: view.id,
    reason: view.reason,
    level: view.level,
    alert: {
      id: alert.id,
      alertSourceId: alert.alertSourceId,
      alertKey: alert.alertKey,
      summary: alert.summary,
      details: alert.details ?? null,
      status: alert.status,
      priority: alert.priority,
      createdAt: alert.createdAt,
      images: alert.images,
      links: alert.links,
      customDetails: alert.customDetails,
      url: view.alertUrl,
    },
    user: { id: view.user.id, firstName: view.user.firstName, lastName: view.user.lastName },
    actions: { accept: view.actions.accept, resolve: view.actions.resolve },
  };
}

/** "[HIGH] Disk full", or "Accepted: [HIGH] Disk full" for a notice, so a notice never reads like a new page. */
function headline(view: NotificationView): string {
  const base = `[${view.alert.priority}] ${oneLine(view.alert.summary)}`;
  if (view.reason === 'ACCEPTED') return `Accepted: ${base}`;
  if (view.reason === 'RESOLVED') return `Resolved: ${base}`;
  return base;
}

/** The action links a message offers: both on a page, only resolve once accepted, none once resolved. */
function offeredActions(view: NotificationView): Array<{ label: string; url: string }> {
  if (view.reason === 'RESOLVED') return [];
  const resolve = { label: 'Resolve', url: view.actions.resolve };
  return view.reason === 'ACCEPTED' ? [resolve] : [{ label: 'Accept', url: view.actions.accept }, resolve];
}

// Header values and Slack fallbacks must stay on one line; a summary may carry line breaks.
const oneLine = (value: string): string => value.replace(/[\r\n\t]+/g, ' ').trim();

const truncate = (value: string, max: number): string => (value.length <= max ? value : `${value.slice(0, max - 1)}…`);

/** Slack mrkdwn: these three characters start links and mentions (`<!channel>`), so alert text must not carry them raw. */
const slackEscape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Slack's limits: a section's text at most 3000 characters, a button's text 75.
const SLACK_SECTION_CHARS = 3000;

/** An incoming-webhook message: `text` is the fallback that notifications and old clients show; blocks carry the rest. */
export function slackMessage(view: NotificationView) {
  const text = headline(view);
  const lines = [`*${slackEscape(truncate(text, 1000))}*`, `Status: ${view.alert.status} · Level ${view.level} · <${view.alertUrl}|View alert>`];
  if (view.alert.details) lines.push(slackEscape(truncate(view.alert.details, 1500)));
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SLACK_SECTION_CHARS) } }];
  const actions = offeredActions(view);
  if (actions.length > 0) {
    blocks.push({
      type: 'actions',
      // Link buttons: Slack opens the URL in the browser, which shows the confirm page (a GET changes nothing).
      elements: actions.map((a) => ({ type: 'button', text: { type: 'plain_text', text: a.label }, url: a.url })),
    });
  }
  return { text: truncate(text, SLACK_SECTION_CHARS), blocks };
}

const htmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const customDetailsText = (details: Record<string, unknown>): string | undefined =>
  Object.keys(details).length === 0 ? undefined : JSON.stringify(details, null, 2);

/** Subject `[Alertline] <priority> <summary>`, a plain-text part and an HTML part in which every piece of alert data is escaped. */
export function emailMessage(view: NotificationView): EmailContent {
  const { alert } = view;
  const prefix = view.reason === 'ACCEPTED' ? 'Accepted: ' : view.reason === 'RESOLVED' ? 'Resolved: ' : '';
  const subject = truncate(`[Alertline] ${prefix}${alert.priority} ${oneLine(alert.summary)}`, 250);
  const actions = offeredActions(view);
  const custom = customDetailsText(alert.customDetails);
  return { subject, text: emailText(view, actions, custom), html: emailHtml(view, actions, custom) };
}

function emailText(view: NotificationView, actions: Array<{ label: string; url: string }>, custom: string | undefined): string {
  const { alert } = view;
  const parts = [
    headline(view),
    `Status: ${alert.status}, level ${view.level}, created ${alert.createdAt}`,
    `Alert key: ${alert.alertKey}`,
    alert.details ? `\n${alert.details}` : '',
    custom ? `\nCustom details:\n${custom}` : '',
    ...alert.links.map((l) => `Link: ${l.text ? `${l.text} ` : ''}${l.href}`),
    ...alert.images.map((i) => `Image: ${i.src}`),
    `\nView the alert: ${view.alertUrl}`,
    ...actions.map((a) => `${a.label}: ${a.url}`),
    actions.length > 0 ? '\nThe action links are for you alone and expire in 24 hours.' : '',
  ];
  return `${parts.filter((p) => p !== '').join('\n')}\n`;
}

const anchor = (href: string, label: string): string => `<a href="${htmlEscape(href)}">${htmlEscape(label)}</a>`;

function emailHtml(view: NotificationView, actions: Array<{ label: string; url: string }>, custom: string | undefined): string {
  const { alert } = view;
  const e = htmlEscape;
  const rows = [
    `<h1 style="font-size:18px">${e(headline(view))}</h1>`,
    `<p>Status: ${e(alert.status)}, level ${view.level}, created ${e(alert.createdAt)}<br>Alert key: ${e(alert.alertKey)}</p>`,
    alert.details ? `<pre style="white-space:pre-wrap">${e(alert.details)}</pre>` : '',
    custom ? `<p>Custom details:</p><pre>${e(custom)}</pre>` : '',
    alert.links.length > 0 ? `<ul>${alert.links.map((l) => `<li>${anchor(l.href, l.text ?? l.href)}</li>`).join('')}</ul>` : '',
    alert.images.length > 0 ? `<ul>${alert.images.map((i) => `<li>${anchor(i.href ?? i.src, i.alt ?? i.src)}</li>`).join('')}</ul>` : '',
    `<p>${anchor(view.alertUrl, 'View the alert')}</p>`,
    actions.length > 0 ? `<p>${actions.map((a) => anchor(a.url, `${a.label} alert`)).join(' &middot; ')}</p>` : '',
    actions.length > 0 ? '<p style="color:#666">The action links are for you alone and expire in 24 hours.</p>' : '',
  ];
  return `<!doctype html><html><body>${rows.filter((r) => r !== '').join('\n')}</body></html>`;
}
