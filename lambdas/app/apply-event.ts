// The processor's use case: read the open alert, let the domain decide, write the decision; on a lost race, read and decide again.
import { decide, logEntryFor, newAlert, type EventOutcome } from '../domain/alert';
import type { AlertSource } from '../domain/alert-source';
import { normalizeAlertKey, type AcceptedEvent } from '../domain/event';
import { decidePriority } from '../domain/priority';
import type { AlertStore } from '../store/alerts';

export interface ApplyDeps {
  alerts: AlertStore;
  now: () => string;
  newId: () => string;
  /** Jittered pause between attempts after a lost race. */
  pause?: (attempt: number) => Promise<void>;
}

export type ApplyEventResult = { outcome: EventOutcome; alertId?: string } | { duplicate: true };

const MAX_ATTEMPTS = 10;
const defaultPause = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 6)));

/**
 * Applies one accepted event. The alert source may have been deleted since the event was accepted: the event is
 * still applied, with the defaults (an accepted event is never dropped).
 */
export async function applyEvent(event: AcceptedEvent, source: AlertSource | undefined, deps: ApplyDeps): Promise<ApplyEventResult> {
  const alertKeyNormalized = normalizeAlertKey(event.alertKey);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await (deps.pause ?? defaultPause)(attempt);
    const open = await deps.alerts.findOpen(event.alertSourceId, alertKeyNormalized);
    const decision = decide(event.eventType, open);
    const now = deps.now();
    const log = logEntryFor(decision, event);
    const result = await deps.alerts.apply(decision, {
      eventId: event.eventId,
      alertSourceId: event.alertSourceId,
      alertKeyNormalized,
      now,
      logEntry: log && { id: deps.newId(), ...log },
      newAlert:
        decision.kind === 'CREATE'
          ? newAlert(event, { id: deps.newId(), now }, {
              priority: decidePriority({
                rule: source?.alertPriorityRule ?? 'HIGH',
                integrationType: source?.integrationType ?? 'API',
                hasTemplate: false,
                eventPriority: event.priority,
                inSupportHours: false,
              }).priority,
              escalationPolicy: source?.escalationPolicy,
            })
          : undefined,
    });
    if ('applied' in result) return { outcome: result.applied, alertId: result.alertId };
    if ('duplicate' in result) return { duplicate: true };
  }
  throw new Error(`Event ${event.eventId} lost ${MAX_ATTEMPTS} races for alert key "${event.alertKey}"`);
}
