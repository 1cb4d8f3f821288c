// The reference model of event processing (ALERT opens or joins, ACCEPT, RESOLVE, COMMENT act on the open alert of the key)
// for one alert source under the default grouping (ONE_OPEN_ALERT_ALLOWED): pure, sequential,
// written apart from lambdas/domain on purpose (it imports nothing from it), so that comparing the two really checks something.

export type ModelEventType = 'ALERT' | 'ACCEPT' | 'RESOLVE' | 'COMMENT';
export type ModelOutcome = 'CREATED' | 'APPENDED' | 'ACCEPTED' | 'ALREADY_ACCEPTED' | 'RESOLVED' | 'COMMENTED' | 'NO_OPEN_ALERT';
export type ModelStatus = 'PENDING' | 'ACCEPTED' | 'RESOLVED';

export interface ModelEvent {
  eventId: string;
  eventType: ModelEventType;
  /** As sent (any case, surrounding whitespace). Absent only for an ALERT: the server then generates a key nobody else has. */
  alertKey?: string;
}

export interface ModelAlert {
  /** Position in `alerts`, in order of creation. */
  index: number;
  /** The creating event's key, trimmed (what the alert shows); undefined when the server generated it. */
  alertKey?: string;
  status: ModelStatus;
  eventCount: number;
  /** The eventIds of the alert's log entries, oldest first. */
  log: string[];
  createdBy: string;
}

export interface ModelEventResult {
  eventId: string;
  outcome: ModelOutcome;
  /** Index of the model alert the event acted on (ALREADY_ACCEPTED included); undefined for NO_OPEN_ALERT. */
  alert?: number;
}

export interface ModelResult {
  events: ModelEventResult[];
  alerts: ModelAlert[];
}

/** Keys are trimmed, then compared without regard to case. */
export const sameKey = (alertKey: string): string => alertKey.trim().toLowerCase();

/** Applies the events of one alert source one at a time, in the order they were accepted. */
export function applyStream(events: readonly ModelEvent[]): ModelResult {
  const alerts: ModelAlert[] = [];
  const results: ModelEventResult[] = [];
  // Under ONE_OPEN_ALERT_ALLOWED a key has at most one open alert, so "the last open alert with the key" is that one.
  const openByKey = new Map<string, ModelAlert>();
  let generated = 0;

  const act = (event: ModelEvent, outcome: ModelOutcome, alert?: ModelAlert, logged = true) => {
    if (alert && logged) alert.log.push(event.eventId);
    results.push({ eventId: event.eventId, outcome, alert: alert?.index });
  };

  for (const event of events) {
    // A keyless ALERT gets a fresh generated key: a map key no sent key can equal.
    const key = event.alertKey === undefined ? `\u0000generated#${generated++}` : sameKey(event.alertKey);
    const open = openByKey.get(key);
    switch (event.eventType) {
      case 'ALERT':
        if (open) {
          open.eventCount += 1;
          act(event, 'APPENDED', open);
        } else {
          const created: ModelAlert = {
            index: alerts.length,
            alertKey: event.alertKey?.trim(),
            status: 'PENDING',
            eventCount: 1,
            log: [],
            createdBy: event.eventId,
          };
          alerts.push(created);
          openByKey.set(key, created);
          act(event, 'CREATED', created);
        }
        break;
      case 'ACCEPT':
        if (!open) act(event, 'NO_OPEN_ALERT');
        else if (open.status === 'ACCEPTED') act(event, 'ALREADY_ACCEPTED', open, false);
        else {
          open.status = 'ACCEPTED';
          act(event, 'ACCEPTED', open);
        }
        break;
      case 'RESOLVE':
        if (!open) act(event, 'NO_OPEN_ALERT');
        else {
          open.status = 'RESOLVED';
          openByKey.delete(key);
          act(event, 'RESOLVED', open);
        }
        break;
      case 'COMMENT':
        if (!open) act(event, 'NO_OPEN_ALERT');
        else act(event, 'COMMENTED', open);
        break;
    }
  }
  return { events: results, alerts };
}
