// The contract between the ingest handler and a tool's adapter: a tool's payload in, ordinary events (or an answer) out.
import type { EventInput } from '../domain/event';
import type { HttpResponse } from '../handlers/http';

export const INBOUND_TYPES = ['alertmanager', 'grafana', 'pagerduty', 'cloudwatch'] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

export interface InboundPayload {
  /** The body parsed as JSON (the handler has checked size and JSON syntax). */
  body: unknown;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
}

/**
 * A payload comes to events to accept all together, in order, or to an answer given without any event. A tool that
 * delivers at least once (SNS) names each delivery: `idempotencyKey` makes a redelivery replay the first answer, as an
 * Idempotency-Key header does (the header wins when the request has one).
 */
export type Inbound = { kind: 'events'; events: EventInput[]; idempotencyKey?: string } | { kind: 'answer'; response: HttpResponse };

export interface InboundAdapter {
  readonly type: InboundType;
  /** Content types the tool posts besides application/json (SNS posts its JSON as text/plain). */
  readonly extraContentTypes?: readonly string[];
  /**
   * Throws HttpError: 400 VALIDATION_FAILED whose `errors[].path` are the TOOL's field names (e.g. `alerts.0.status`),
   * or the adapter's own refusals (403, 503, ...).
   */
  parse(payload: InboundPayload): Inbound | Promise<Inbound>;
}

/** What adapters may need from outside: an HTTPS GET (SNS certificates, SubscribeURL), injectable in tests. */
export interface InboundDeps {
  fetchText: (url: string) => Promise<string>;
}
