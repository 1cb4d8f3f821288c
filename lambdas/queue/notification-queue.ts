// SQS adapter: the standard notification queue that carries the engine's "run this job" and "deliver this" messages.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { NotificationQueuePort } from '../app/ports';
import { QueueUnavailable } from './event-queue';

/** SQS delays a message by at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

export const notificationMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job'), pk: z.string().min(1), sk: z.string().min(1) }),
  z.object({ kind: z.literal('deliver'), alertId: z.string().min(1), sk: z.string().min(1), attempt: z.number().int().min(0).optional() }),
]);
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;

export const parseNotificationMessage = (body: string): NotificationMessage => notificationMessageSchema.parse(JSON.parse(body));

export class NotificationQueue implements NotificationQueuePort {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  runJob(job: { pk: string; sk: string }): Promise<void> {
    return this.send({ kind: 'job', pk: job.pk, sk: job.sk });
  }

  deliver(d: { alertId: string; sk: string; attempt?: number }, delaySeconds = 0): Promise<void> {
    return this.send({ kind: 'deliver', alertId: d.alertId, sk: d.sk, attempt: d.attempt ?? 0 }, delaySeconds);
  }

  private async send(message: NotificationMessage, delaySeconds = 0): Promise<void> {
    const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds)));
    try {
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), ...(delay > 0 ? { DelaySeconds: delay } : {}) }),
      );
    } catch (error) {
      throw new QueueUnavailable(`the notification queue did not take the message: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  }
}
