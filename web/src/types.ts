// The shapes the UI reads from the management API (openapi.json), as far as the pages use them.
export type AlertStatus = 'PENDING' | 'ACCEPTED' | 'RESOLVED';

export interface Alert {
  id: string;
  alertSourceId: string;
  alertKey: string;
  summary: string;
  details?: string;
  status: AlertStatus;
  priority: 'HIGH' | 'LOW';
  priorityReason?: string;
  escalationPolicy?: { id: string };
  escalationLevel: number | null;
  nextEscalationAt: string | null;
  images: { src: string; href?: string; alt?: string }[];
  links: { href: string; text?: string }[];
  customDetails: Record<string, unknown>;
  eventCount: number;
  createdAt: string;
  updatedAt: string;
  acceptedAt?: string;
  resolvedAt?: string;
}

export interface LogEntry {
  id: string;
  alertId: string;
  eventId?: string;
  type: string;
  text: string;
  createdAt: string;
}

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
