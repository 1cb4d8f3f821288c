// Sending one notification to one contact: the channel picks the message and the transport.
import type { LookupFunction } from 'node:net';
import { targetProblem } from '../domain/outbound-address';
import type { Contact } from '../domain/user';
import { MailError, noMailer, type Mailer } from './email';
import { postJson } from './http-send';
import { emailMessage, slackMessage, webhookBody, type NotificationView } from './messages';
import { failed, SENT, type SendResult } from './result';
import { signatureHeader } from './signature';

export interface Senders {
  send(contact: Contact, view: NotificationView): Promise<SendResult>;
}

export interface SenderOptions {
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS. */
  allowPrivateTargets: boolean;
  /** Without one, email notifications fail with "email is not configured: set SMTP_URL". */
  mailer?: Mailer;
  /** Per HTTP attempt; 5 s unless a test shortens it. */
  timeoutMs?: number;
  lookup?: LookupFunction;
  /** Milliseconds; the signature's timestamp. */
  now?: () => number;
}

export function createSenders(options: SenderOptions): Senders {
  const now = options.now ?? Date.now;
  const mailer = options.mailer ?? noMailer;
  const post = (contact: Contact, body: string, headers: Record<string, string>) =>
    postJson(contact.target, body, headers, {
      type: contact.type === 'SLACK' ? 'SLACK' : 'WEBHOOK',
      allowPrivate: options.allowPrivateTargets,
      timeoutMs: options.timeoutMs,
      lookup: options.lookup,
    });

  const webhook = (contact: Contact, view: NotificationView) => {
    const body = JSON.stringify(webhookBody(view));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-alertline-delivery': view.id };
    // Signed over the exact bytes sent, so the receiver verifies its raw body before parsing it.
    if (contact.secret) headers['x-alertline-signature'] = signatureHeader(contact.secret, body, Math.floor(now() / 1000));
    return post(contact, body, headers);
  };

  const slack = (contact: Contact, view: NotificationView) => post(contact, JSON.stringify(slackMessage(view)), { 'content-type': 'application/json' });

  const email = async (contact: Contact, view: NotificationView): Promise<SendResult> => {
    const problem = targetProblem('EMAIL', contact.target, options.allowPrivateTargets);
    if (problem) return failed(false, `refused: target ${problem}`);
    try {
      await mailer.send({ to: contact.target, ...emailMessage(view) });
      return SENT;
    } catch (error) {
      if (error instanceof MailError) return failed(error.retryable, error.message);
      return failed(true, 'mail not sent (unexpected error)');
    }
  };

  return {
    send(contact, view) {
      if (contact.type === 'WEBHOOK') return webhook(contact, view);
      if (contact.type === 'SLACK') return slack(contact, view);
      return email(contact, view);
    },
  };
}
