// Delivering one notification with in-memory ports: what lands on the record, the alert's log and the queue for each answer of the sender.
import { deliverNotification, type DeliverDeps } from '../../lambdas/app/deliver';
import type { NotificationRecord, NotificationsPort } from '../../lambdas/app/ports';
import { verifyActionToken } from '../../lambdas/domain/action-token';
import type { Alert, LogEntry } from '../../lambdas/domain/alert';
import type { Contact, User } from '../../lambdas/domain/user';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const SECRET = 'action-secret-for-tests';

const alert: Alert = {
  id: 'alert-1',
  alertSourceId: 'source-1',
  alertKey: 'disk',
  summary: 'Disk full',
  status: 'PENDING',
  priority: 'HIGH',
  images: [],
  links: [],
  customDetails: {},
  eventCount: 1,
  createdAt: '2026-12-01T09:59:59.000Z',
  updatedAt: '2026-12-01T09:59:59.000Z',
};

const webhook: Contact = { type: 'WEBHOOK', target: 'https://hooks.example.com/alertline', secret: 's3cret', priorities: ['HIGH', 'LOW'] };
const user: User = {
  id: 'user-1',
  firstName: 'Uma',
  lastName: 'Oncall',
  contacts: [{ type: 'EMAIL', target: 'uma@example.com', priorities: ['HIGH'] }, webhook],
  createdAt: alert.createdAt,
  updatedAt: alert.createdAt,
};

const record = (over: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id: 'N0TIFICATI0NIDN0TIFICATI0',
  alertId: alert.id,
  sk: 'NOTIFICATION#2026-12-01T09:59:59.000Z#N0TIFICATI0NIDN0TIFICATI0',
  userId: user.id,
  contactIndex: 1,
  contactType: 'WEBHOOK',
  target: 'https://hooks.example.com',
  reason: 'ESCALATION',
  level: 1,
  status: 'PENDING',
  attempts: 0,
  createdAt: alert.createdAt,
  ...over,
});

type Answer = { ok: true } | { ok: false; retryable: boolean; error: string };

/** The ports in memory; `answers` are what the sender answers, one per send, in order. */
function world(initial: NotificationRecord, answers: Answer[], users: User[] = [user]) {
  const records = new Map([[initial.sk, { ...initial }]]);
  const log: LogEntry[] = [];
  const sent: Array<{ contact: Contact; view: any }> = [];
  const delivered: Array<{ ref: { alertId: string; sk: string; attempt?: number }; delaySeconds?: number }> = [];
  const notifications: NotificationsPort = {
    putIfAbsent: async () => false,
    get: async (_alertId, sk) => (records.has(sk) ? { ...records.get(sk)! } : undefined),
    listForAlert: async () => [...records.values()],
    recordAttempt: async (n, change) => {
      const current = records.get(n.sk)!;
      if (current.status !== 'PENDING' || current.attempts !== n.attempts) return false;
      records.set(n.sk, { ...current, ...change });
      return true;
    },
  };
  const deps: DeliverDeps = {
    notifications,
    alerts: { get: async (id) => (id === alert.id ? alert : undefined), addLogEntry: async (entry) => void log.push(entry) },
    users: { get: async (id) => users.find((u) => u.id === id) },
    senders: {
      send: async (contact, view) => {
        sent.push({ contact, view });
        const next = answers.shift();
        if (!next) throw new Error('the sender was called more often than the test expected');
        return next;
      },
    },
    queue: { deliver: async (ref, delaySeconds) => void delivered.push({ ref, delaySeconds }) },
    now: () => NOW,
    publicUrl: 'https://alertline.example.com',
    actionSecret: SECRET,
  };
  return { deps, log, sent, delivered, record: () => records.get(initial.sk)! };
}

const ref = { alertId: alert.id, sk: record().sk };
const fail = (retryable: boolean, error: string): Answer => ({ ok: false, retryable, error });

describe('deliverNotification', () => {
  it('sends to the contact the record names, and records SENT with one attempt and a NOTIFICATION_SENT entry', async () => {
    const w = world(record(), [{ ok: true }]);
    await deliverNotification(ref, w.deps);
    expect(w.sent.map((s) => s.contact)).toEqual([webhook]);
    expect(w.record()).toMatchObject({ status: 'SENT', attempts: 1, sentAt: new Date(NOW).toISOString() });
    expect(w.record().lastError).toBeUndefined();
    expect(w.log.map(({ type, text }) => ({ type, text }))).toEqual([{ type: 'NOTIFICATION_SENT', text: 'Notified Uma Oncall by webhook (level 1)' }]);
    expect(w.delivered).toEqual([]);
  });

  it("builds the view with the alert's link and the user's own signed action links for this channel", async () => {
    const w = world(record(), [{ ok: true }]);
    await deliverNotification(ref, w.deps);
    const view = w.sent[0].view;
    expect(view).toMatchObject({ id: record().id, reason: 'ESCALATION', level: 1, alertUrl: 'https://alertline.example.com/alerts/alert-1' });
    expect(view.alert).toMatchObject({ id: alert.id, summary: 'Disk full', priority: 'HIGH', status: 'PENDING' });
    expect(view.user).toEqual({ id: user.id, firstName: 'Uma', lastName: 'Oncall' });
    for (const action of ['accept', 'resolve'] as const) {
      const url: string = view.actions[action];
      expect(url.startsWith('https://alertline.example.com/api/actions/')).toBe(true);
      const verified = verifyActionToken(SECRET, url.slice(url.lastIndexOf('/') + 1), NOW);
      expect(verified).toEqual({ ok: true, claims: expect.objectContaining({ alertId: alert.id, action, userId: user.id, channel: 'WEBHOOK' }) });
      // 24 h: valid just before, expired just after.
      expect(verifyActionToken(SECRET, url.slice(url.lastIndexOf('/') + 1), NOW + 24 * 3600_000 + 1000)).toMatchObject({ ok: false, reason: 'expired' });
    }
  });

  it('retries a 500 after 2 s and ends with one SENT record of two attempts', async () => {
    const w = world(record(), [fail(true, 'HTTP 500'), { ok: true }]);
    await deliverNotification(ref, w.deps);
    expect(w.record()).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'HTTP 500' });
    expect(w.delivered).toEqual([{ ref: { ...ref, attempt: 1 }, delaySeconds: 2 }]);
    await deliverNotification(w.delivered[0].ref, w.deps);
    expect(w.record()).toMatchObject({ status: 'SENT', attempts: 2, sentAt: expect.any(String) });
    expect(w.sent.map((s) => s.view.id)).toEqual([record().id, record().id]);
    expect(w.log.map((e) => e.type)).toEqual(['NOTIFICATION_FAILED', 'NOTIFICATION_SENT']);
    expect(w.log[0].text).toBe('Could not notify Uma Oncall by webhook (level 1), attempt 1 of 5: HTTP 500; retrying in 2 s');
    expect(new Set(w.log.map((e) => e.id)).size).toBe(2);
  });

  it('backs off 2, 4, 8, 16 s and fails after the fifth retryable failure', async () => {
    const w = world(
      record(),
      Array.from({ length: 5 }, () => fail(true, 'timed out after 5 s')),
    );
    for (let i = 0; i < 5; i++) await deliverNotification(ref, w.deps);
    expect(w.delivered.map((d) => d.delaySeconds)).toEqual([2, 4, 8, 16]);
    expect(w.record()).toMatchObject({ status: 'FAILED', attempts: 5, lastError: 'timed out after 5 s' });
    expect(w.log.at(-1)).toMatchObject({
      type: 'NOTIFICATION_FAILED',
      text: 'Could not notify Uma Oncall by webhook (level 1), attempt 5 of 5: timed out after 5 s',
    });
    // A message that arrives after the record failed sends nothing.
    await deliverNotification(ref, w.deps);
    expect(w.sent).toHaveLength(5);
  });

  it('fails at once on a failure that is not retryable (a 404, a refused address)', async () => {
    const w = world(record(), [fail(false, 'refused: hooks.example.com resolves to a private address')]);
    await deliverNotification(ref, w.deps);
    expect(w.record()).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'refused: hooks.example.com resolves to a private address' });
    expect(w.delivered).toEqual([]);
    expect(w.log.map((e) => e.type)).toEqual(['NOTIFICATION_FAILED']);
  });

  it('leaves a SENT or FAILED record alone (a repeated message)', async () => {
    for (const status of ['SENT', 'FAILED'] as const) {
      const w = world(record({ status, attempts: 1 }), []);
      await deliverNotification(ref, w.deps);
      expect({ sent: w.sent.length, log: w.log.length, record: w.record().status }).toEqual({ sent: 0, log: 0, record: status });
    }
  });

  it('fails without sending when the contact or the user was removed', async () => {
    const gone = world(record({ contactIndex: 5 }), []);
    await deliverNotification(ref, gone.deps);
    expect(gone.record()).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'the contact was removed' });
    const retyped = world(record({ contactIndex: 0 }), []);
    await deliverNotification(ref, retyped.deps);
    expect(retyped.record()).toMatchObject({ status: 'FAILED', lastError: 'the contact was removed' });
    const noUser = world(record(), [], []);
    await deliverNotification(ref, noUser.deps);
    expect(noUser.record()).toMatchObject({ status: 'FAILED', lastError: 'the user was removed' });
    expect([gone, retyped, noUser].map((w) => w.sent.length)).toEqual([0, 0, 0]);
  });

  it('drops its result when another deliverer recorded this attempt first, so each attempt is counted once', async () => {
    const w = world(record(), [{ ok: true }]);
    const raced = { ...w.deps.notifications, recordAttempt: async () => false };
    await deliverNotification(ref, { ...w.deps, notifications: raced });
    expect({ log: w.log.length, delivered: w.delivered.length }).toEqual({ log: 0, delivered: 0 });
  });

  it('answers the status it recorded, and nothing when it recorded nothing, so that a FAILED end is counted once', async () => {
    const sent = world(record(), [{ ok: true }]);
    expect(await deliverNotification(ref, sent.deps)).toBe('SENT');
    const retried = world(record(), [fail(true, 'HTTP 503'), fail(false, 'HTTP 404')]);
    expect(await deliverNotification(ref, retried.deps)).toBe('PENDING');
    expect(await deliverNotification(ref, retried.deps)).toBe('FAILED');
    // The repeated message of a notification that already ended, and a lost race, record nothing.
    expect(await deliverNotification(ref, retried.deps)).toBeUndefined();
    const raced = world(record(), [fail(false, 'HTTP 404')]);
    expect(await deliverNotification(ref, { ...raced.deps, notifications: { ...raced.deps.notifications, recordAttempt: async () => false } })).toBeUndefined();
    expect(await deliverNotification(ref, world(record({ contactIndex: 5 }), []).deps)).toBe('FAILED');
  });

  it('names a notice by its reason', async () => {
    const w = world(record({ reason: 'RESOLVED' }), [{ ok: true }]);
    await deliverNotification(ref, w.deps);
    expect(w.sent[0].view.reason).toBe('RESOLVED');
    expect(w.log[0].text).toBe('Notified Uma Oncall by webhook (resolved notice)');
  });
});
