// The escalator's and the notifier's configuration from the environment, and the notification queue's message shapes.
import { escalatorConfigFromEnv, notifierConfigFromEnv, processorConfigFromEnv } from '../../lambdas/handlers/config';
import { mailerOf } from '../../lambdas/handlers/notifier';
import { noMailer } from '../../lambdas/notify/email';
import { parseNotificationMessage } from '../../lambdas/queue/notification-queue';

const AWS = {
  TABLE_NAME: 'table',
  NOTIFICATION_QUEUE_URL: 'https://sqs.example/notifications',
  PUBLIC_URL: 'https://alerts.example.com',
  ACTION_SECRET_ARN: 'arn:action-secret',
  EMAIL_SENDER: 'alerts@example.com',
};

describe('escalator and notifier configuration', () => {
  it('reads what the stack sets', () => {
    expect(escalatorConfigFromEnv(AWS)).toEqual({ tableName: 'table', notificationQueueUrl: AWS.NOTIFICATION_QUEUE_URL });
    expect(notifierConfigFromEnv(AWS)).toEqual({
      tableName: 'table',
      notificationQueueUrl: AWS.NOTIFICATION_QUEUE_URL,
      publicUrl: AWS.PUBLIC_URL,
      actionSecret: { secretArn: 'arn:action-secret' },
      emailSender: AWS.EMAIL_SENDER,
      ses: true,
      allowPrivateWebhookTargets: false,
    });
    expect(processorConfigFromEnv(AWS).notificationQueueUrl).toBe(AWS.NOTIFICATION_QUEUE_URL);
  });

  it('takes a secret given directly before the secret ARN, and SMTP_URL', () => {
    const local = { ...AWS, ACTION_SECRET: 'shh', SMTP_URL: 'smtp://127.0.0.1:2525', ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' };
    expect(notifierConfigFromEnv(local)).toEqual(
      expect.objectContaining({ actionSecret: { value: 'shh' }, smtpUrl: local.SMTP_URL, allowPrivateWebhookTargets: true }),
    );
  });

  it.each([
    ['NOTIFICATION_QUEUE_URL', () => escalatorConfigFromEnv({ TABLE_NAME: 't' }), /NOTIFICATION_QUEUE_URL/],
    ['PUBLIC_URL', () => notifierConfigFromEnv({ ...AWS, PUBLIC_URL: '' }), /PUBLIC_URL/],
    ['the action secret', () => notifierConfigFromEnv({ ...AWS, ACTION_SECRET_ARN: undefined }), /ACTION_SECRET or ACTION_SECRET_ARN/],
  ])('fails at once without %s', (_name, read, message) => {
    expect(read).toThrow(message);
  });
});

describe('the email transport', () => {
  const config = notifierConfigFromEnv(AWS);
  it('is SES in AWS (the Lambda entry), with the sender identity', () => {
    expect(mailerOf(config)).not.toBe(noMailer);
    expect(mailerOf({ ...config, emailSender: undefined })).toBe(noMailer);
  });
  it('is never SES where the configuration does not say so (the local runtime), even with a sender and AWS credentials', () => {
    expect(mailerOf({ ...config, ses: undefined })).toBe(noMailer);
  });
});

describe('notification queue messages', () => {
  it('reads a job and a delivery', () => {
    expect(parseNotificationMessage('{"kind":"job","pk":"ESCJOB#2025-01-15T09:00","sk":"x"}')).toEqual({ kind: 'job', pk: 'ESCJOB#2025-01-15T09:00', sk: 'x' });
    expect(parseNotificationMessage('{"kind":"deliver","alertId":"a","sk":"NOTIFICATION#t#n","attempt":2}')).toEqual({
      kind: 'deliver',
      alertId: 'a',
      sk: 'NOTIFICATION#t#n',
      attempt: 2,
    });
  });

  it('refuses anything else', () => {
    for (const body of ['{"kind":"other"}', '{"kind":"job","pk":""}', 'not json']) expect(() => parseNotificationMessage(body)).toThrow();
  });
});
