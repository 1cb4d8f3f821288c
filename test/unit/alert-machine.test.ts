// The alert state machine: what each event does to the open alert of its key, its log line, new alerts, operator actions.
import {
  decide,
  logEntryFor,
  newAlert,
  operatorTransition,
  OUTCOME_OF,
  type AlertStatus,
  type Decision,
  type OpenAlertRef,
  type OperatorAction,
} from '../../lambdas/domain/alert';
import type { AcceptedEvent, EventType } from '../../lambdas/domain/event';

const pending: OpenAlertRef = { id: 'alert-p', status: 'PENDING' };
const accepted: OpenAlertRef = { id: 'alert-a', status: 'ACCEPTED' };

const event = (fields: Partial<AcceptedEvent> = {}): AcceptedEvent => ({
  eventId: '01HZY0000000000000000000AA',
  alertSourceId: 'src-1',
  receivedAt: '2025-03-04T05:06:07.000Z',
  eventType: 'ALERT',
  alertKey: 'db-1/disk',
  summary: 'Disk full',
  ...fields,
});

/** Under the default grouping mode, with `open` as the last open alert of the key. */
const decideOneOpen = (eventType: EventType, open: OpenAlertRef | undefined) =>
  decide({ eventType, receivedAt: '2025-03-04T05:06:07.000Z' }, { byKey: open }, { mode: 'ONE_OPEN_ALERT_ALLOWED' });

describe('decide', () => {
  // Every event type against no open alert, a PENDING one and an ACCEPTED one.
  const table: Array<[EventType, OpenAlertRef | undefined, Decision]> = [
    ['ALERT', undefined, { kind: 'CREATE' }],
    ['ALERT', pending, { kind: 'APPEND', alert: pending }],
    ['ALERT', accepted, { kind: 'APPEND', alert: accepted }],
    ['ACCEPT', undefined, { kind: 'NO_OPEN_ALERT' }],
    ['ACCEPT', pending, { kind: 'ACCEPT', alert: pending }],
    ['ACCEPT', accepted, { kind: 'ALREADY_ACCEPTED', alert: accepted }],
    ['RESOLVE', undefined, { kind: 'NO_OPEN_ALERT' }],
    ['RESOLVE', pending, { kind: 'RESOLVE', alert: pending }],
    ['RESOLVE', accepted, { kind: 'RESOLVE', alert: accepted }],
    ['COMMENT', undefined, { kind: 'NO_OPEN_ALERT' }],
    ['COMMENT', pending, { kind: 'COMMENT', alert: pending }],
    ['COMMENT', accepted, { kind: 'COMMENT', alert: accepted }],
  ];

  it.each(table)('%s with open alert %o decides %o', (eventType, open, expected) => {
    expect(decideOneOpen(eventType, open)).toEqual(expected);
  });

  it('acts on the very alert it was given', () => {
    const open: OpenAlertRef = { id: 'the-last-open-one', status: 'PENDING' };
    const decision = decideOneOpen('RESOLVE', open);
    expect(decision.kind === 'RESOLVE' && decision.alert.id).toBe('the-last-open-one');
  });

  it('maps every decision to the event outcome the API reports', () => {
    const outcomes = table.map(([type, open]) => OUTCOME_OF[decideOneOpen(type, open).kind]);
    expect(outcomes).toEqual([
      'CREATED',
      'APPENDED',
      'APPENDED',
      'NO_OPEN_ALERT',
      'ACCEPTED',
      'ALREADY_ACCEPTED',
      'NO_OPEN_ALERT',
      'RESOLVED',
      'RESOLVED',
      'NO_OPEN_ALERT',
      'COMMENTED',
      'COMMENTED',
    ]);
  });
});

describe('logEntryFor', () => {
  it('logs a created alert with its summary', () => {
    expect(logEntryFor({ kind: 'CREATE' }, event({ summary: 'Disk full' }))).toEqual({
      type: 'ALERT_RECEIVED',
      text: 'Alert created by event: Disk full',
    });
  });

  it('logs an appended event with the new event summary', () => {
    expect(logEntryFor({ kind: 'APPEND', alert: pending }, event({ summary: 'Disk still full' }))).toEqual({
      type: 'EVENT_APPENDED',
      text: 'Event appended: Disk still full',
    });
  });

  it('logs an accept with and without a summary', () => {
    const decision: Decision = { kind: 'ACCEPT', alert: pending };
    expect(logEntryFor(decision, event({ eventType: 'ACCEPT', summary: 'on it' }))).toEqual({
      type: 'ACCEPTED',
      text: 'Alert accepted by event: on it',
    });
    expect(logEntryFor(decision, event({ eventType: 'ACCEPT', summary: undefined }))).toEqual({
      type: 'ACCEPTED',
      text: 'Alert accepted by event',
    });
  });

  it('logs a resolve with and without a summary', () => {
    const decision: Decision = { kind: 'RESOLVE', alert: accepted };
    expect(logEntryFor(decision, event({ eventType: 'RESOLVE', summary: 'fixed' }))).toEqual({
      type: 'RESOLVED',
      text: 'Alert resolved by event: fixed',
    });
    expect(logEntryFor(decision, event({ eventType: 'RESOLVE', summary: undefined }))?.text).toBe('Alert resolved by event');
  });

  it('logs a comment as its summary, else its details', () => {
    const decision: Decision = { kind: 'COMMENT', alert: pending };
    expect(logEntryFor(decision, event({ eventType: 'COMMENT', summary: 'looking', details: 'more' }))).toEqual({
      type: 'COMMENT',
      text: 'looking',
    });
    expect(logEntryFor(decision, event({ eventType: 'COMMENT', summary: undefined, details: 'from details' }))).toEqual({
      type: 'COMMENT',
      text: 'from details',
    });
  });

  it('leaves no log line for outcomes that change nothing', () => {
    expect(logEntryFor({ kind: 'ALREADY_ACCEPTED', alert: accepted }, event({ eventType: 'ACCEPT' }))).toBeUndefined();
    expect(logEntryFor({ kind: 'NO_OPEN_ALERT' }, event({ eventType: 'RESOLVE' }))).toBeUndefined();
  });
});

describe('newAlert', () => {
  const now = '2025-03-04T05:06:08.000Z';

  it('opens a PENDING alert from the event with one event counted', () => {
    const source = event({
      details: '## details',
      images: [{ src: 'https://example.com/a.png', href: undefined, alt: undefined }],
      links: [{ href: 'https://example.com/rb', text: 'runbook' }],
      customDetails: { severity: 'critical' },
    });
    expect(newAlert(source, { id: 'alert-1', now }, { priority: 'LOW', escalationPolicy: { id: 'ep-9' } })).toEqual({
      id: 'alert-1',
      alertSourceId: 'src-1',
      alertKey: 'db-1/disk',
      summary: 'Disk full',
      details: '## details',
      status: 'PENDING',
      priority: 'LOW',
      escalationPolicy: { id: 'ep-9' },
      images: [{ src: 'https://example.com/a.png' }],
      links: [{ href: 'https://example.com/rb', text: 'runbook' }],
      customDetails: { severity: 'critical' },
      eventCount: 1,
      createdAt: now,
      updatedAt: now,
    });
  });

  it('takes priority and escalation policy from the settings, not the event', () => {
    const alert = newAlert(event({ priority: 'LOW' }), { id: 'a', now }, { priority: 'HIGH' });
    expect(alert.priority).toBe('HIGH');
    expect(alert.escalationPolicy).toBeUndefined();
  });

  it('defaults images, links and customDetails to empty, and is neither accepted nor resolved', () => {
    const alert = newAlert(event(), { id: 'a', now }, { priority: 'HIGH' });
    expect(alert.images).toEqual([]);
    expect(alert.links).toEqual([]);
    expect(alert.customDetails).toEqual({});
    expect(alert.acceptedAt).toBeUndefined();
    expect(alert.resolvedAt).toBeUndefined();
  });
});

describe('operatorTransition', () => {
  const table: Array<[AlertStatus, OperatorAction, ReturnType<typeof operatorTransition>]> = [
    ['PENDING', 'accept', { change: 'ACCEPTED' }],
    ['ACCEPTED', 'accept', { unchanged: true }],
    ['RESOLVED', 'accept', { conflict: 'a resolved alert cannot be accepted' }],
    ['PENDING', 'resolve', { change: 'RESOLVED' }],
    ['ACCEPTED', 'resolve', { change: 'RESOLVED' }],
    ['RESOLVED', 'resolve', { unchanged: true }],
  ];

  it.each(table)('%s + %s -> %o', (status, action, expected) => {
    expect(operatorTransition(status, action)).toEqual(expected);
  });
});
