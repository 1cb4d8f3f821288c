// Priority of a new alert: the source's rule is the default; the event's field counts only for GRAFANA and SERVICENOW sources,
// sources with a priority template, and the plain HIGH rule; a matching template mapping wins over both.
import { decidePriority, type PriorityInputs } from '../../lambdas/domain/priority';

const inputs = (fields: Partial<PriorityInputs>): PriorityInputs => ({
  rule: 'HIGH',
  integrationType: 'API',
  hasTemplate: false,
  inSupportHours: false,
  ...fields,
});

const priorityOf = (fields: Partial<PriorityInputs>) => decidePriority(inputs(fields)).priority;

describe('decidePriority: plain rules on an API source', () => {
  it('uses the rule when the event names no priority', () => {
    expect(decidePriority(inputs({ rule: 'HIGH' }))).toEqual({ priority: 'HIGH', reason: 'alert source rule HIGH' });
    expect(decidePriority(inputs({ rule: 'LOW' }))).toEqual({ priority: 'LOW', reason: 'alert source rule LOW' });
  });

  it('rule HIGH: the event may lower it to LOW', () => {
    expect(decidePriority(inputs({ rule: 'HIGH', eventPriority: 'LOW' }))).toEqual({ priority: 'LOW', reason: 'event priority field' });
  });

  it('rule HIGH: an event HIGH keeps HIGH', () => {
    expect(priorityOf({ rule: 'HIGH', eventPriority: 'HIGH' })).toBe('HIGH');
  });

  it('rule LOW: the event cannot raise it', () => {
    expect(decidePriority(inputs({ rule: 'LOW', eventPriority: 'HIGH' }))).toEqual({ priority: 'LOW', reason: 'alert source rule LOW' });
  });

  it.each(['PROMETHEUS', 'DATADOG', 'WEBHOOK'] as const)('rule LOW on %s: the event cannot raise it either', (integrationType) => {
    expect(priorityOf({ rule: 'LOW', integrationType, eventPriority: 'HIGH' })).toBe('LOW');
  });
});

describe('decidePriority: integration types whose event priority counts', () => {
  it.each(['GRAFANA', 'SERVICENOW'] as const)('%s: rule LOW + event HIGH -> HIGH', (integrationType) => {
    expect(decidePriority(inputs({ rule: 'LOW', integrationType, eventPriority: 'HIGH' }))).toEqual({
      priority: 'HIGH',
      reason: 'event priority field',
    });
  });

  it.each(['GRAFANA', 'SERVICENOW'] as const)('%s: rule HIGH + event LOW -> LOW', (integrationType) => {
    expect(priorityOf({ rule: 'HIGH', integrationType, eventPriority: 'LOW' })).toBe('LOW');
  });

  it.each(['GRAFANA', 'SERVICENOW'] as const)('%s: the event overrides the support-hours rules too', (integrationType) => {
    expect(priorityOf({ rule: 'HIGH_DURING_SUPPORT_HOURS', integrationType, inSupportHours: true, eventPriority: 'LOW' })).toBe('LOW');
    expect(priorityOf({ rule: 'LOW_DURING_SUPPORT_HOURS', integrationType, inSupportHours: true, eventPriority: 'HIGH' })).toBe('HIGH');
  });

  it('GRAFANA without an event priority falls back to the rule', () => {
    expect(priorityOf({ rule: 'LOW', integrationType: 'GRAFANA' })).toBe('LOW');
  });
});

describe('decidePriority: priority template', () => {
  it('a matching template mapping wins over the event field', () => {
    expect(decidePriority(inputs({ rule: 'LOW', hasTemplate: true, templatePriority: 'HIGH', eventPriority: 'LOW' }))).toEqual({
      priority: 'HIGH',
      reason: 'priority template mapping',
    });
    expect(priorityOf({ rule: 'HIGH', hasTemplate: true, templatePriority: 'LOW', eventPriority: 'HIGH' })).toBe('LOW');
  });

  it('a matching template mapping wins over the rule, also on GRAFANA and during support hours', () => {
    expect(priorityOf({ rule: 'HIGH', hasTemplate: true, templatePriority: 'LOW' })).toBe('LOW');
    expect(priorityOf({ rule: 'HIGH', integrationType: 'GRAFANA', hasTemplate: true, templatePriority: 'LOW', eventPriority: 'HIGH' })).toBe('LOW');
    expect(priorityOf({ rule: 'HIGH_DURING_SUPPORT_HOURS', inSupportHours: true, hasTemplate: true, templatePriority: 'LOW' })).toBe('LOW');
  });

  it('a template without a matching mapping lets the event field override even a LOW rule', () => {
    expect(decidePriority(inputs({ rule: 'LOW', hasTemplate: true, eventPriority: 'HIGH' }))).toEqual({
      priority: 'HIGH',
      reason: 'event priority field',
    });
    expect(priorityOf({ rule: 'LOW_DURING_SUPPORT_HOURS', inSupportHours: true, hasTemplate: true, eventPriority: 'HIGH' })).toBe('HIGH');
  });

  it('a template without a mapping and without an event priority falls back to the rule', () => {
    expect(priorityOf({ rule: 'LOW', hasTemplate: true })).toBe('LOW');
    expect(priorityOf({ rule: 'HIGH_DURING_SUPPORT_HOURS', hasTemplate: true, inSupportHours: false })).toBe('LOW');
  });
});

describe('decidePriority: support-hours rules', () => {
  it('HIGH_DURING_SUPPORT_HOURS: HIGH inside, LOW outside', () => {
    expect(decidePriority(inputs({ rule: 'HIGH_DURING_SUPPORT_HOURS', inSupportHours: true }))).toEqual({
      priority: 'HIGH',
      reason: 'inside support hours',
    });
    expect(decidePriority(inputs({ rule: 'HIGH_DURING_SUPPORT_HOURS', inSupportHours: false }))).toEqual({
      priority: 'LOW',
      reason: 'outside support hours',
    });
  });

  it('LOW_DURING_SUPPORT_HOURS: LOW inside, HIGH outside', () => {
    expect(decidePriority(inputs({ rule: 'LOW_DURING_SUPPORT_HOURS', inSupportHours: true }))).toEqual({
      priority: 'LOW',
      reason: 'inside support hours',
    });
    expect(decidePriority(inputs({ rule: 'LOW_DURING_SUPPORT_HOURS', inSupportHours: false }))).toEqual({
      priority: 'HIGH',
      reason: 'outside support hours',
    });
  });

  it.each([
    ['HIGH_DURING_SUPPORT_HOURS', true, 'LOW', 'HIGH'],
    ['HIGH_DURING_SUPPORT_HOURS', false, 'HIGH', 'LOW'],
    ['LOW_DURING_SUPPORT_HOURS', true, 'HIGH', 'LOW'],
    ['LOW_DURING_SUPPORT_HOURS', false, 'LOW', 'HIGH'],
  ] as const)('%s (in support hours: %s) ignores an API event priority %s -> %s', (rule, inSupportHours, eventPriority, expected) => {
    expect(priorityOf({ rule, inSupportHours, eventPriority, integrationType: 'API' })).toBe(expected);
  });

  it('plain HIGH and LOW rules do not look at support hours', () => {
    expect(priorityOf({ rule: 'HIGH', inSupportHours: false })).toBe('HIGH');
    expect(priorityOf({ rule: 'LOW', inSupportHours: true })).toBe('LOW');
  });
});
