// The processor's use case: read the open alerts, let the domain decide, write the decision; on a lost race, read and decide again.
import { decide, logEntryFor, newAlert, type EventOutcome } from '../domain/alert';
import { windowMinutes, type AlertSource } from '../domain/alert-source';
import { normalizeAlertKey, type AcceptedEvent } from '../domain/event';
import { alertPriority } from '../domain/priority';
import type { AlertStore } from '../store/alerts';

export interface ApplyDeps {
  alerts: AlertStore;
  /** The escalation policy whose routing key this is, if any. */
  policyForRoutingKey: (routingKey: string) => Promise<{ id: string } | undefined>;
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
  const grouping = {
    mode: source?.alertCreation ?? 'ONE_OPEN_ALERT_ALLOWED',
    windowMinutes: source?.alertGroupingWindow && windowMinutes(source.alertGroupingWindow),
  };
  const windowed = event.eventType === 'ALERT' && grouping.mode === 'ONE_ALERT_GROUPED_PER_WINDOW';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await (deps.pause ?? defaultPause)(attempt);
    const { candidates, locks } = await deps.alerts.readCandidates(event.alertSourceId, alertKeyNormalized, windowed);
    const decision = decide(event, candidates, grouping);
    const now = deps.now();
    let created;
    if (decision.kind === 'CREATE') {
      const priority = alertPriority(source, event);
      // A routing key picks the policy only for a new alert; appends, ACCEPT and RESOLVE never change it.
      const routed = event.routingKey ? await deps.policyForRoutingKey(event.routingKey) : undefined;
      created = newAlert(event, { id: deps.newId(), now }, {
        priority: priority.priority,
        priorityReason: priority.reason,
        escalationPolicy: routed ? { id: routed.id } : source?.escalationPolicy,
      });
    }
    const log = logEntryFor(decision, event, created);
    const result = await deps.alerts.apply(decision, {
      eventId: event.eventId,
      alertSourceId: event.alertSourceId,
      alertKeyNormalized,
      now,
      locks,
      logEntry: log && { id: deps.newId(), ...log },
      newAlert: created,
    });
    if ('applied' in result) return { outcome: result.applied, alertId: result.alertId };
    if ('duplicate' in result) return { duplicate: true };
  }
  throw new Error(`Event ${event.eventId} lost ${MAX_ATTEMPTS} races for alert key "${event.alertKey}"`);
}
