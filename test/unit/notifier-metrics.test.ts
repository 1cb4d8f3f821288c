// The notifier counts each notification that ends FAILED as the NotificationsFailed metric (the alarm's), and nothing else.
import type { SQSEvent } from 'aws-lambda';
import type { DeliverDeps } from '../../lambdas/app/deliver';
import type { NotificationRecord, NotificationsPort } from '../../lambdas/app/ports';
import type { Alert } from '../../lambdas/domain/alert';
import type { User } from '../../lambdas/domain/user';
import { lambdaContext } from '../../local/lambda-context';

// Powertools reads its switches when the metrics are built: quiet and unpublished, then loaded.
Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
const { metrics } = require('../../lambdas/handlers/clients') as typeof import('../../lambdas/handlers/clients');
const { createNotifierBatch, createNotifierHandler } = require('../../lambdas/handlers/notifier') as typeof import('../../lambdas/handlers/notifier');

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const at = new Date(NOW).toISOString();
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
  createdAt: at,
  updatedAt: at,
};
const user: User = {
  id: 'user-1',
  firstName: 'Uma',
  lastName: 'Oncall',
  contacts: [{ type: 'WEBHOOK', target: 'https://hooks.example.com/x', priorities: ['HIGH', 'LOW'] }],
  createdAt: at,
  updatedAt: at,
};
const pending = (n: number): NotificationRecord => ({
  id: `N${n}`,
  alertId: alert.id,
  sk: `NOTIFICATION#${at}#N${n}`,
  userId: user.id,
  contactIndex: 0,
  contactType: 'WEBHOOK',
  target: 'https://hooks.example.com',
  reason: 'ESCALATION',
  level: 1,
  status: 'PENDING',
  attempts: 0,
  createdAt: at,
});

type Answer = { ok: true } | { ok: false; retryable: boolean; error: string };

/** The notifier's batch over in-memory ports; the sender answers each notification by its id. */
function notifier(answers: Record<string, Answer>) {
  const records = new Map<string, NotificationRecord>();
  const notifications: NotificationsPort = {
    putIfAbsent: async () => false,
    get: async (_alertId, sk) => records.get(sk),
    listForAlert: async () => [...records.values()],
    recordAttempt: async (n, change) => {
      const current = records.get(n.sk)!;
      if (current.status !== 'PENDING' || current.attempts !== n.attempts) return false;
      records.set(n.sk, { ...current, ...change });
      return true;
    },
  };
  const deliver: Omit<DeliverDeps, 'actionSecret'> = {
    notifications,
    alerts: { get: async () => alert, addLogEntry: async () => undefined },
    users: { get: async () => user },
    senders: { send: async (_contact, view) => answers[view.id] },
    queue: { deliver: async () => undefined },
    now: () => NOW,
    publicUrl: 'https://alertline.example.com',
  };
  const config = {
    tableName: 'unused',
    dynamoDbEndpoint: 'http://127.0.0.1:9',
    notificationQueueUrl: 'http://127.0.0.1:9/queue/unused',
    sqsEndpoint: 'http://127.0.0.1:9',
    publicUrl: 'https://alertline.example.com',
    actionSecret: { value: 'unused' },
    allowPrivateWebhookTargets: false,
  };
  const deps = { deliver, actionSecret: async () => 'action-secret' };
  const event = (...ns: number[]): SQSEvent =>
    ({
      Records: ns.map((n) => {
        records.set(pending(n).sk, pending(n));
        return { messageId: `m${n}`, body: JSON.stringify({ kind: 'deliver', alertId: alert.id, sk: pending(n).sk }) };
      }),
    }) as unknown as SQSEvent;
  return { batch: createNotifierBatch(config, deps), handler: createNotifierHandler(config, deps), event, records };
}

const failedCount = (): number => {
  const emf = metrics.serializeMetrics() as unknown as Record<string, number | number[] | undefined>;
  return [emf.NotificationsFailed ?? []].flat().reduce((a, b) => a + b, 0);
};

beforeEach(() => metrics.clearMetrics());

it('counts one NotificationsFailed per notification that ended FAILED, none for SENT or a retry still PENDING', async () => {
  const n = notifier({
    N1: { ok: true },
    N2: { ok: false, retryable: false, error: 'HTTP 404' },
    N3: { ok: false, retryable: true, error: 'HTTP 503' },
    N4: { ok: false, retryable: false, error: 'refused: resolves to a private address' },
  });
  const response = await n.batch(n.event(1, 2, 3, 4), lambdaContext('notifier'));
  expect(response.batchItemFailures).toEqual([]);
  expect([...n.records.values()].map((r) => r.status)).toEqual(['SENT', 'FAILED', 'PENDING', 'FAILED']);
  expect(failedCount()).toBe(2);
});

it('counts nothing when every notification is sent', async () => {
  const n = notifier({ N1: { ok: true } });
  await n.batch(n.event(1), lambdaContext('notifier'));
  expect(metrics.hasStoredMetrics()).toBe(false);
});

it('the Lambda handler publishes the count after the batch, and does not flush when there is nothing to publish', async () => {
  const publish = jest.spyOn(metrics, 'publishStoredMetrics');
  try {
    const quiet = notifier({ N1: { ok: true } });
    await quiet.handler(quiet.event(1), lambdaContext('notifier'));
    expect(publish).not.toHaveBeenCalled();
    const failing = notifier({ N1: { ok: false, retryable: false, error: 'HTTP 410' } });
    await failing.handler(failing.event(1), lambdaContext('notifier'));
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  } finally {
    publish.mockRestore();
  }
});
