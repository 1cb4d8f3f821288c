// Priority of a new alert: a matching priority template mapping wins; else the event's priority field counts when the source is
// GRAFANA or SERVICENOW, has a priority template, or its rule is plain HIGH; else the source's rule (and support hours) decide.
import type { AcceptedEvent, Priority } from './event';
import type { AlertPriorityRule, AlertSource, IntegrationType } from './alert-source';
import { templatePriority } from './priority-template';
import { inSupportHours } from './support-hours';

export interface PriorityInputs {
  rule: AlertPriorityRule;
  integrationType: IntegrationType;
  /** Whether the source has a priority template, and what it yielded for this event (undefined: no mapping matched). */
  hasTemplate: boolean;
  templatePriority?: Priority;
  eventPriority?: Priority;
  /** Whether the event's receive time falls in the source's support hours (only read for the support-hours rules). */
  inSupportHours: boolean;
}

export interface PriorityDecision {
  priority: Priority;
  reason: string;
}

const EVENT_PRIORITY_TYPES: readonly IntegrationType[] = ['GRAFANA', 'SERVICENOW'];

export function decidePriority(p: PriorityInputs): PriorityDecision {
  if (p.templatePriority) return { priority: p.templatePriority, reason: 'priority template mapping' };
  const eventMayOverride = EVENT_PRIORITY_TYPES.includes(p.integrationType) || p.hasTemplate || p.rule === 'HIGH';
  if (eventMayOverride && p.eventPriority) return { priority: p.eventPriority, reason: 'event priority field' };
  switch (p.rule) {
    case 'HIGH':
    case 'LOW':
      return { priority: p.rule, reason: `alert source rule ${p.rule}` };
    case 'HIGH_DURING_SUPPORT_HOURS':
      return p.inSupportHours ? { priority: 'HIGH', reason: 'inside support hours' } : { priority: 'LOW', reason: 'outside support hours' };
    case 'LOW_DURING_SUPPORT_HOURS':
      return p.inSupportHours ? { priority: 'LOW', reason: 'inside support hours' } : { priority: 'HIGH', reason: 'outside support hours' };
  }
}

/** The priority of a new alert opened by this event, judged at the event's receive time. */
export function alertPriority(source: AlertSource | undefined, event: AcceptedEvent): PriorityDecision {
  const rule = source?.alertPriorityRule ?? 'HIGH';
  return decidePriority({
    rule,
    integrationType: source?.integrationType ?? 'API',
    hasTemplate: Boolean(source?.priorityTemplate),
    templatePriority: source?.priorityTemplate && templatePriority(source.priorityTemplate, event),
    eventPriority: event.priority,
    inSupportHours: rule.endsWith('_DURING_SUPPORT_HOURS') && source?.supportHours ? inSupportHours(new Date(event.receivedAt), source.supportHours) : false,
  });
}
