// Notifier Lambda: the notification queue's messages, each on its own: run an escalation job, or deliver one notification.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliverNotification, type DeliverDeps } from '../app/deliver';
import { runJob, type EscalationDeps } from '../app/escalation';
import { NOTIFICATIONS_FAILED_METRIC } from '../contract';
import { createSenders, noMailer, sesMailer, smtpMailer, type Mailer } from '../notify';
import { parseNotificationMessage } from '../queue/notification-queue';
import { adminTokenReader } from './auth';
import { logger, metrics } from './clients';
import type { NotifierConfig, SecretSource } from './config';
import { engineDeps } from './escalator';
import { withUsage } from './usage';

export interface NotifierDeps {
  engine: EscalationDeps;
  /** What delivering needs; the action secret is read (once) when the first delivery needs it. */
  deliver: Omit<DeliverDeps, 'actionSecret'>;
  actionSecret: () => Promise<string>;
}

/** The sender of email: SMTP where SMTP_URL is set, SES in AWS where a sender identity is, else none (fails clearly). */
export function mailerOf(config: NotifierConfig): Mailer {
  const from = config.emailSender ?? 'alertline@localhost';
  if (config.smtpUrl) return smtpMailer(config.smtpUrl, from);
  if (config.ses && config.emailSender) return sesMailer(new SESv2Client({}), config.emailSender);
  return noMailer;
}

/** The secret's reader: given directly, or read once from Secrets Manager (a failed read is retried by the next call). */
const secretReader = (source: SecretSource) => adminTokenReader('value' in source ? { token: source.value } : source);

function notifierDeps(config: NotifierConfig): NotifierDeps {
  const engine = engineDeps(config);
  const senders = createSenders({ allowPrivateTargets: config.allowPrivateWebhookTargets, mailer: mailerOf(config), now: engine.now });
  return {
    engine,
    deliver: {
      notifications: engine.notifications as DeliverDeps['notifications'],
      alerts: engine.alerts as DeliverDeps['alerts'],
      users: engine.users,
      senders,
      queue: engine.queue,
      now: engine.now,
      publicUrl: config.publicUrl.replace(/\/+$/, ''),
    },
    actionSecret: secretReader(config.actionSecret),
  };
}

/** One message; a failure hands it back to the queue (retried, then parked in the dead-letter queue). */
async function handleRecord(deps: NotifierDeps, record: SQSRecord): Promise<void> {
  const message = parseNotificationMessage(record.body);
  if (message.kind === 'job') {
    await runJob({ pk: message.pk, sk: message.sk }, deps.engine);
    return;
  }
  const result = await deliverNotification({ alertId: message.alertId, sk: message.sk }, { ...deps.deliver, actionSecret: await deps.actionSecret() });
  // Counted once, by the deliverer that recorded the end: the alarm on it says someone was not paged.
  if (result === 'FAILED') metrics.addMetric(NOTIFICATIONS_FAILED_METRIC, MetricUnit.Count, 1);
}

/** The batch function itself, without Lambda's middlewares: the local runtime's poller calls it. */
export function createNotifierBatch(config: NotifierConfig, deps: Partial<NotifierDeps> = {}) {
  const all: NotifierDeps = { ...notifierDeps(config), ...deps };
  // Measured without metrics: a batch that failed nothing publishes none (see publishMetrics).
  return withUsage(
    'notifier',
    (event: SQSEvent, context: Context) =>
      processPartialResponse(
        event,
        async (record: SQSRecord) => {
          try {
            await handleRecord(all, record);
          } catch (error) {
            logger.error('notification message failed', { messageId: record.messageId, error: error as Error });
            throw error;
          }
        },
        new BatchProcessor(EventType.SQS),
        { context, throwOnFullBatchFailure: false },
      ),
    false,
  );
}

/** The notifier Lambda handler, its clients built once from `config`; `deps` replaces any of them. */
export const createNotifierHandler = (config: NotifierConfig, deps: Partial<NotifierDeps> = {}) =>
  middy(createNotifierBatch(config, deps)).use(injectLambdaContext(logger)).after(publishMetrics);

/** Flushes the metrics when there are any: most batches fail nothing, and Powertools warns on an empty flush. */
function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
