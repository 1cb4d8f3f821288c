// Grouping modes, support hours (DST, midnight), priority templates and the priority an alert source gives a new alert.
import { decide, type Candidates, type Grouping } from '../../lambdas/domain/alert';
import { alertSourceSettingsSchema, windowMinutes, type AlertSource } from '../../lambdas/domain/alert-source';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { alertPriority } from '../../lambdas/domain/priority';
import { renderTemplate, templatePriority } from '../../lambdas/domain/priority-template';
import { inSupportHours, localTime } from '../../lambdas/domain/support-hours';
import { fieldErrors } from '../../lambdas/domain/validation';

const pending = { id: 'p', status: 'PENDING' as const };
const accepted = { id: 'a', status: 'ACCEPTED' as const };
const at = '2026-03-10T12:00:00.000Z';
const alertAt = (candidates: Candidates, grouping: Grouping, receivedAt = at) => decide({ eventType: 'ALERT', receivedAt }, candidates, grouping);

describe('grouping modes', () => {
  it('ONE_OPEN_ALERT_ALLOWED appends to the open alert of the key, pending or accepted, else creates', () => {
    const mode: Grouping = { mode: 'ONE_OPEN_ALERT_ALLOWED' };
    expect(alertAt({ byKey: pending }, mode)).toEqual({ kind: 'APPEND', alert: pending });
    expect(alertAt({ byKey: accepted }, mode)).toEqual({ kind: 'APPEND', alert: accepted });
    expect(alertAt({}, mode)).toEqual({ kind: 'CREATE' });
  });

  it('ONE_PENDING_ALERT_ALLOWED appends only while the alert is pending; an accepted one gets a new sibling', () => {
    const mode: Grouping = { mode: 'ONE_PENDING_ALERT_ALLOWED' };
    expect(alertAt({ byKey: pending }, mode)).toEqual({ kind: 'APPEND', alert: pending });
    expect(alertAt({ byKey: accepted }, mode)).toEqual({ kind: 'CREATE' });
    expect(alertAt({}, mode)).toEqual({ kind: 'CREATE' });
  });

  it('ONE_ALERT_PER_EVENT always creates', () => {
    expect(alertAt({ byKey: pending }, { mode: 'ONE_ALERT_PER_EVENT' })).toEqual({ kind: 'CREATE' });
  });

  it('ONE_ALERT_GROUPED_PER_WINDOW appends, whatever the key, while the receive time is inside the window', () => {
    const mode: Grouping = { mode: 'ONE_ALERT_GROUPED_PER_WINDOW', windowMinutes: 5 };
    const bySource = { ...pending, createdAt: '2026-03-10T12:00:00.000Z' };
    expect(alertAt({ bySource }, mode, '2026-03-10T12:04:59.999Z')).toEqual({ kind: 'APPEND', alert: bySource });
    expect(alertAt({ bySource }, mode, '2026-03-10T12:05:00.000Z')).toEqual({ kind: 'CREATE' });
    expect(alertAt({ byKey: pending }, mode)).toEqual({ kind: 'CREATE' });
  });

  it('ACCEPT and RESOLVE act on the newest open alert of the key in every mode', () => {
    for (const mode of ['ONE_PENDING_ALERT_ALLOWED', 'ONE_ALERT_PER_EVENT', 'ONE_ALERT_GROUPED_PER_WINDOW'] as const) {
      expect(decide({ eventType: 'RESOLVE', receivedAt: at }, { byKey: accepted }, { mode })).toEqual({ kind: 'RESOLVE', alert: accepted });
    }
  });

  it('knows every window length', () => {
    expect(['PT2M', 'PT15M', 'PT1H', 'PT24H'].map((w) => windowMinutes(w as never))).toEqual([2, 15, 60, 1440]);
  });
});

describe('support hours', () => {
  const berlin = { timezone: 'Europe/Berlin', supportDays: { MONDAY: { start: '08:00', end: '18:00' }, SUNDAY: { start: '08:00', end: '18:00' } } };

  it('reads the wall clock across the spring DST change in Europe/Berlin', () => {
    // 2026-03-29: clocks go from 02:00 CET (UTC+1) to 03:00 CEST (UTC+2), so 06:00Z is 08:00 local that day.
    expect(localTime(new Date('2026-03-29T05:59:00Z'), 'Europe/Berlin')).toEqual({ weekday: 'SUNDAY', minute: 7 * 60 + 59 });
    expect(inSupportHours(new Date('2026-03-29T05:59:00Z'), berlin)).toBe(false);
    expect(inSupportHours(new Date('2026-03-29T06:00:00Z'), berlin)).toBe(true);
    // The Sunday before, in winter time, 06:30Z is 07:30 local: outside.
    expect(inSupportHours(new Date('2026-03-22T06:30:00Z'), berlin)).toBe(false);
    expect(inSupportHours(new Date('2026-03-22T07:00:00Z'), berlin)).toBe(true);
  });

  it('reads the wall clock across the autumn DST change in America/New_York', () => {
    const ny = { timezone: 'America/New_York', supportDays: { SUNDAY: { start: '09:00', end: '17:00' } } };
    // 2026-11-01: EDT (UTC-4) ends at 02:00, EST (UTC-5) after. 13:30Z is 08:30 EST: outside; 14:00Z is 09:00: inside.
    expect(inSupportHours(new Date('2026-11-01T13:30:00Z'), ny)).toBe(false);
    expect(inSupportHours(new Date('2026-11-01T14:00:00Z'), ny)).toBe(true);
    // A week earlier in EDT, 13:00Z is already 09:00.
    expect(inSupportHours(new Date('2026-10-25T13:00:00Z'), ny)).toBe(true);
    expect(inSupportHours(new Date('2026-11-01T21:59:00Z'), ny)).toBe(true);
    expect(inSupportHours(new Date('2026-11-01T22:00:00Z'), ny)).toBe(false);
  });

  it('covers a window that crosses midnight into the next day', () => {
    const night = { timezone: 'UTC', supportDays: { FRIDAY: { start: '22:00', end: '06:00' } } };
    expect(inSupportHours(new Date('2026-11-27T21:59:00Z'), night)).toBe(false); // Friday 21:59
    expect(inSupportHours(new Date('2026-11-27T23:30:00Z'), night)).toBe(true); // Friday 23:30
    expect(inSupportHours(new Date('2026-11-28T05:59:00Z'), night)).toBe(true); // Saturday 05:59
    expect(inSupportHours(new Date('2026-11-28T06:00:00Z'), night)).toBe(false); // Saturday 06:00
    expect(inSupportHours(new Date('2026-11-28T23:00:00Z'), night)).toBe(false); // Saturday night: no window
  });

  it('treats 24:00 as the end of the day and a day without entry as outside', () => {
    const allDay = { timezone: 'UTC', supportDays: { THURSDAY: { start: '00:00', end: '24:00' } } };
    expect(inSupportHours(new Date('2026-11-26T23:59:00Z'), allDay)).toBe(true);
    expect(inSupportHours(new Date('2026-11-27T00:00:00Z'), allDay)).toBe(false);
  });
});

describe('priority templates', () => {
  const event = (fields: Partial<AcceptedEvent> = {}): AcceptedEvent => ({
    eventId: 'e',
    alertSourceId: 's',
    receivedAt: at,
    eventType: 'ALERT',
    alertKey: 'k',
    summary: 'sum',
    ...fields,
  });
  const template = {
    valueTemplate: { textTemplate: '{{ customDetails.severity }}' },
    mappings: [
      { value: 'critical', priority: 'HIGH' as const },
      { value: 'warning', priority: 'LOW' as const },
    ],
  };

  it('renders dotted paths into the event and maps the value case-insensitively', () => {
    expect(renderTemplate('{{customDetails.a.b}}-{{ summary }}', event({ customDetails: { a: { b: 7 } } }))).toBe('7-sum');
    expect(templatePriority(template, event({ customDetails: { severity: ' CRITICAL ' } }))).toBe('HIGH');
    expect(templatePriority(template, event({ customDetails: { severity: 'warning' } }))).toBe('LOW');
    expect(templatePriority(template, event({ customDetails: { severity: 'info' } }))).toBeUndefined();
    expect(templatePriority(template, event())).toBeUndefined();
  });

  it('never reads through the prototype', () => {
    expect(renderTemplate('{{ customDetails.constructor }}{{ __proto__ }}{{ toString }}', event({ customDetails: {} }))).toBe('');
  });
});

describe('the priority a source gives a new alert, case by case: rule, integration type, template, support hours', () => {
  const source = (settings: Record<string, unknown>): AlertSource => ({
    ...alertSourceSettingsSchema.parse({ name: 'n', ...settings }),
    id: 's',
    integrationKey: 'k',
    createdAt: at,
    updatedAt: at,
  });
  const event = (fields: Partial<AcceptedEvent>): AcceptedEvent => ({
    eventId: 'e',
    alertSourceId: 's',
    receivedAt: '2026-11-26T10:00:00Z',
    eventType: 'ALERT',
    alertKey: 'k',
    summary: 's',
    ...fields,
  });
  const weekdays = { timezone: 'Europe/Berlin', supportDays: { THURSDAY: { start: '09:00', end: '17:00' } } };

  it.each<[string, Record<string, unknown>, Partial<AcceptedEvent>, string]>([
    ['rule HIGH, event LOW -> LOW', { alertPriorityRule: 'HIGH' }, { priority: 'LOW' }, 'LOW'],
    ['rule HIGH, no event priority -> HIGH', {}, {}, 'HIGH'],
    ['rule LOW, event HIGH -> LOW', { alertPriorityRule: 'LOW' }, { priority: 'HIGH' }, 'LOW'],
    ['GRAFANA, rule LOW, event HIGH -> HIGH', { integrationType: 'GRAFANA', alertPriorityRule: 'LOW' }, { priority: 'HIGH' }, 'HIGH'],
    ['SERVICENOW, rule LOW, event HIGH -> HIGH', { integrationType: 'SERVICENOW', alertPriorityRule: 'LOW' }, { priority: 'HIGH' }, 'HIGH'],
    [
      'template critical->HIGH beats event LOW',
      {
        alertPriorityRule: 'LOW',
        priorityTemplate: { valueTemplate: { textTemplate: '{{ customDetails.severity }}' }, mappings: [{ value: 'critical', priority: 'HIGH' }] },
      },
      { priority: 'LOW', customDetails: { severity: 'critical' } },
      'HIGH',
    ],
    [
      'template without match lets the event decide',
      {
        alertPriorityRule: 'LOW',
        priorityTemplate: { valueTemplate: { textTemplate: '{{ customDetails.severity }}' }, mappings: [{ value: 'critical', priority: 'HIGH' }] },
      },
      { priority: 'HIGH', customDetails: { severity: 'minor' } },
      'HIGH',
    ],
    [
      'support hours: inside (Thu 11:00 Berlin) HIGH, event LOW ignored',
      { alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS', supportHours: weekdays },
      { priority: 'LOW' },
      'HIGH',
    ],
    [
      'support hours: outside (Thu 19:00 Berlin) LOW, event HIGH ignored',
      { alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS', supportHours: weekdays },
      { priority: 'HIGH', receivedAt: '2026-11-26T18:00:00Z' },
      'LOW',
    ],
    ['LOW during support hours: inside -> LOW', { alertPriorityRule: 'LOW_DURING_SUPPORT_HOURS', supportHours: weekdays }, {}, 'LOW'],
    [
      'LOW during support hours: outside -> HIGH',
      { alertPriorityRule: 'LOW_DURING_SUPPORT_HOURS', supportHours: weekdays },
      { receivedAt: '2026-11-26T07:59:00Z' },
      'HIGH',
    ],
  ])('%s', (_name, settings, fields, expected) => {
    const decision = alertPriority(source(settings), event(fields));
    expect(decision.priority).toBe(expected);
    expect(decision.reason).toEqual(expect.any(String));
  });
});

describe('alert source settings for grouping and priority', () => {
  const errors = (settings: Record<string, unknown>) => {
    const result = alertSourceSettingsSchema.safeParse({ name: 'n', ...settings }, { reportInput: true });
    return result.success ? [] : fieldErrors(result.error).map((e) => e.path);
  };

  it('needs a known window for window grouping', () => {
    expect(errors({ alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW' })).toEqual(['alertGroupingWindow']);
    expect(errors({ alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT3M' })).toEqual(['alertGroupingWindow']);
    expect(errors({ alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT5M' })).toEqual([]);
  });

  it('refuses malformed time zones, times, days and impossible windows, naming the field', () => {
    expect(errors({ alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS' })).toEqual(['supportHours']);
    expect(errors({ supportHours: { timezone: 'Mars/Olympus', supportDays: {} } })).toEqual(['supportHours.timezone']);
    expect(errors({ supportHours: { timezone: 'UTC', supportDays: { MONDAY: { start: '8:00', end: '18:00' } } } })).toEqual([
      'supportHours.supportDays.MONDAY.start',
    ]);
    expect(errors({ supportHours: { timezone: 'UTC', supportDays: { MONDAY: { start: '08:00', end: '25:00' } } } })).toEqual([
      'supportHours.supportDays.MONDAY.end',
    ]);
    expect(errors({ supportHours: { timezone: 'UTC', supportDays: { MONDAY: { start: '08:00', end: '08:00' } } } })).toEqual([
      'supportHours.supportDays.MONDAY.end',
    ]);
    expect(errors({ supportHours: { timezone: 'UTC', supportDays: { FUNDAY: { start: '08:00', end: '09:00' } } } })).toEqual(['supportHours.supportDays']);
    expect(errors({ priorityTemplate: { valueTemplate: { textTemplate: 'no placeholder' }, mappings: [{ value: 'x', priority: 'HIGH' }] } })).toEqual([
      'priorityTemplate.valueTemplate.textTemplate',
    ]);
    expect(errors({ priorityTemplate: { valueTemplate: { textTemplate: '{{ x }}' }, mappings: [{ value: 'x', priority: 'MEDIUM' }] } })).toEqual([
      'priorityTemplate.mappings.0.priority',
    ]);
  });
});
