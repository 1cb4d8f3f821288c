// The shapes the UI reads from the management API (openapi.json), as far as the pages use them.
// The server's own types, imported as types only (nothing of the server's code reaches the bundle).
import type { AlertStatus, AlertView, LogEntry } from '../../lambdas/domain/alert';

export type { AlertStatus, LogEntry };
/** An alert as the API answers it. */
export type Alert = AlertView;

export interface AlertNotification {
  id: string;
  userId: string;
  contactType: string;
  target: string;
  reason: string;
  level: number;
  status: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

export interface EventRecord {
  eventId: string;
  alertSourceId: string;
  eventType: string;
  alertKey: string;
  receivedAt: string;
  processedAt?: string;
  outcome: string;
  alertId?: string;
  error?: string;
}

/** Only the fields the alert pages need; the management pages read the full settings. */
export interface NamedResource {
  id: string;
  name: string;
}
