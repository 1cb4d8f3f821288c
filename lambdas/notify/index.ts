// What the notifier and the action-link handler use from this folder: message views, senders, mailers, the action page.
export { actionConfirmPage, actionErrorPage, ACTION_PAGE_HEADERS } from './action-page';
export { EMAIL_NOT_CONFIGURED, MailError, noMailer, sesMailer, smtpMailer, type Mailer, type OutgoingMail } from './email';
export type { NotificationReason, NotificationView } from './messages';
export type { SendResult } from './result';
export { createSenders, type SenderOptions, type Senders } from './senders';
export { signatureHeader, verifySignature } from './signature';
