// The mail transports: SMTP through nodemailer (local runtime), SES v2 (AWS), and the stand-in used when neither is configured.
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { createTransport } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** A mail that did not go out; `retryable` when the server or the connection may accept it later. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export const MAIL_TIMEOUT_MS = 5000;

// nodemailer's codes for a connection that failed or went quiet: the server may be back on the next attempt.
const TRANSIENT_SMTP_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

/** SMTP's own rule: a 4xx reply is temporary, a 5xx reply permanent. Nothing of the connection URL goes into the text. */
export function smtpFailure(error: unknown): MailError {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') return new MailError(`mail refused (SMTP ${responseCode})`, responseCode >= 400 && responseCode < 500);
  if (code && TRANSIENT_SMTP_CODES.has(code)) return new MailError(`mail server unreachable (${code})`, true);
  return new MailError(`mail not sent (${code ?? 'unknown error'})`, false);
}

/** `url` as nodemailer reads it (`smtp://user:pass@host:2525`, `smtps://...`); `from` is the sender address. */
export function smtpMailer(url: string, from: string, timeoutMs = MAIL_TIMEOUT_MS): Mailer {
  const transport = createTransport({ url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } as Parameters<
    typeof createTransport
  >[0]);
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from, ...mail });
      } catch (error) {
        throw smtpFailure(error);
      }
    },
  };
}

// SES answers these when it is only busy or briefly unavailable.
const TRANSIENT_SES_ERRORS = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'TimeoutError', 'AbortError']);

export function sesFailure(error: unknown): MailError {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  const retryable = (name !== undefined && TRANSIENT_SES_ERRORS.has(name)) || status === undefined || status >= 500;
  return new MailError(`mail not sent (SES ${name ?? 'error'}${status ? `, HTTP ${status}` : ''})`, retryable);
}

/** SES v2 SendEmail with simple content; `from` must be a verified identity (README: verifying a sender). */
export function sesMailer(client: SESv2Client, from: string, timeoutMs = MAIL_TIMEOUT_MS): Mailer {
  return {
    async send(mail) {
      const command = new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
          },
        },
      });
      try {
        await client.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw sesFailure(error);
      }
    },
  };
}

export const EMAIL_NOT_CONFIGURED = 'email is not configured: set SMTP_URL';

/** The local runtime without SMTP_URL: every email fails at once with a message that says what to set. */
export const noMailer: Mailer = {
  send: () => Promise.reject(new MailError(EMAIL_NOT_CONFIGURED, false)),
};
