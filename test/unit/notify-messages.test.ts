// What each channel's message says: the webhook body's exact shape, Slack's escaped text and link buttons, the escaped email.
import { emailMessage, slackMessage, webhookBody, type NotificationView } from '../../lambdas/notify/messages';

const VIEW: NotificationView = {
  id: '0123456789abcdef0123456789',
  reason: 'ESCALATION',
  level: 2,
  alert: {
    id: '01JALERT0000000000000000AA',
    alertSourceId: '01JSOURCE000000000000000SS',
    alertKey: 'disk/db-1',
    summary: 'Disk <full> on db-1 & "more"',
    details: 'Only 2% left\n<script>alert(1)</script>',
    status: 'PENDING',
    priority: 'HIGH',
    createdAt: '2026-12-01T10:00:00.000Z',
    images: [{ src: 'https://img.example.com/graph.png?a=1&b=2', href: undefined, alt: 'graph <1>' }],
    links: [{ href: 'https://runbooks.example.com/disk?x="y"', text: 'Runbook <disk>' }],
    customDetails: { host: 'db-1', note: '<b>bold</b>' },
  },
  alertUrl: 'https://alertline.example.com/alerts/01JALERT0000000000000000AA',
  user: { id: '01JUSER00000000000000000UU', firstName: 'Uma', lastName: 'Oncall' },
  actions: { accept: 'https://alertline.example.com/api/actions/acc.tok', resolve: 'https://alertline.example.com/api/actions/res.tok' },
};

describe('webhook body', () => {
  it('has exactly the shape of SPEC section 7', () => {
    expect(webhookBody(VIEW)).toEqual({
      type: 'alert.notification',
      id: VIEW.id,
      reason: 'ESCALATION',
      level: 2,
      alert: {
        id: VIEW.alert.id,
        alertSourceId: VIEW.alert.alertSourceId,
        alertKey: 'disk/db-1',
        summary: VIEW.alert.summary,
        details: VIEW.alert.details,
        status: 'PENDING',
        priority: 'HIGH',
        createdAt: VIEW.alert.createdAt,
        images: VIEW.alert.images,
        links: VIEW.alert.links,
        customDetails: VIEW.alert.customDetails,
        url: VIEW.alertUrl,
      },
      user: { id: VIEW.user.id, firstName: 'Uma', lastName: 'Oncall' },
      actions: VIEW.actions,
    });
  });

  it('shows an absent details field as null', () => {
    const { details: _d, ...alert } = VIEW.alert;
    expect(JSON.parse(JSON.stringify(webhookBody({ ...VIEW, alert }))).alert).toHaveProperty('details', null);
  });
});

describe('Slack message', () => {
  const message = slackMessage(VIEW);
  const section = (m: ReturnType<typeof slackMessage>) => (m.blocks[0] as any).text.text as string;

  it('has a fallback text with priority and summary, and a section with the alert link', () => {
    expect(message.text).toBe('[HIGH] Disk <full> on db-1 & "more"');
    expect(section(message)).toContain(`<${VIEW.alertUrl}|View alert>`);
    expect(section(message)).toContain('Level 2');
  });

  it('escapes alert text so that it cannot form links or mentions', () => {
    expect(section(message)).toContain('Disk &lt;full&gt; on db-1 &amp; "more"');
    expect(section(message)).toContain('&lt;script&gt;');
    expect(section(slackMessage({ ...VIEW, alert: { ...VIEW.alert, summary: '<!channel> wake up' } }))).not.toContain('<!channel>');
  });

  it('offers accept and resolve link buttons on an escalation', () => {
    expect(message.blocks[1]).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Accept' }, url: VIEW.actions.accept },
        { type: 'button', text: { type: 'plain_text', text: 'Resolve' }, url: VIEW.actions.resolve },
      ],
    });
  });

  it('says so on an accepted or resolved notice, and offers no accept button then', () => {
    const accepted = slackMessage({ ...VIEW, reason: 'ACCEPTED' });
    expect(accepted.text).toMatch(/^Accepted: \[HIGH\] Disk/);
    expect(JSON.stringify(accepted.blocks)).not.toContain(VIEW.actions.accept);
    const resolved = slackMessage({ ...VIEW, reason: 'RESOLVED' });
    expect(resolved.text).toMatch(/^Resolved: /);
    expect(resolved.blocks).toHaveLength(1);
  });

  it('stays within Slack limits for a long summary', () => {
    const long = slackMessage({ ...VIEW, alert: { ...VIEW.alert, summary: 'x'.repeat(1024), details: 'y'.repeat(65_000) } });
    expect(section(long).length).toBeLessThanOrEqual(3000);
  });
});

describe('email', () => {
  const mail = emailMessage(VIEW);

  it('has the subject [Alertline] <priority> <summary> on one line', () => {
    expect(mail.subject).toBe('[Alertline] HIGH Disk <full> on db-1 & "more"');
    const multiline = emailMessage({ ...VIEW, alert: { ...VIEW.alert, summary: 'a\r\nBcc: x@example.com' } });
    expect(multiline.subject).toBe('[Alertline] HIGH a Bcc: x@example.com');
  });

  it('carries the alert link and both action links in the text and the HTML', () => {
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(VIEW.alertUrl);
      expect(part).toContain(VIEW.actions.accept);
      expect(part).toContain(VIEW.actions.resolve);
    }
  });

  it('escapes every piece of alert data in the HTML', () => {
    expect(mail.html).not.toMatch(/<script|<full>|<b>bold|<disk>|graph <1>/);
    expect(mail.html).toContain('Disk &lt;full&gt; on db-1 &amp; &quot;more&quot;');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('href="https://runbooks.example.com/disk?x=&quot;y&quot;"');
    expect(mail.html).toContain('https://img.example.com/graph.png?a=1&amp;b=2');
    expect(mail.html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('puts the details, custom details and links in the plain text as they are', () => {
    expect(mail.text).toContain('<script>alert(1)</script>');
    expect(mail.text).toContain('"host": "db-1"');
    expect(mail.text).toContain('Runbook <disk> https://runbooks.example.com/disk?x="y"');
  });

  it('says so in the subject of a notice', () => {
    expect(emailMessage({ ...VIEW, reason: 'RESOLVED' }).subject).toBe('[Alertline] Resolved: HIGH Disk <full> on db-1 & "more"');
  });
});
