// The processor's use case: read the open alerts, let the domain decide, write the decision; on a lost race, read and decide again.
// Several events of a batch that touch different locks are read together and written in one transaction.
import { decide, logEntryFor, newAlert, type Alert, type Decision, type EventOutcome, type Grouping } from '../domain/alert';
import { windowMinutes, type AlertSource } from '../domain/alert-source';
import { firstStep, isTimedJob, levelJob, nextStep, type EscalationJob } from '../domain/escalation';
import { routingKeyToFollow, type EscalationPolicy } from '../domain/escalation-policy';
import { normalizeAlertKey, type AcceptedEvent } from '../domain/event';
import { alertPriority } from '../domain/priority';
import type { AlertStore, Application, CandidateRead, CandidateRequest } from '../store/alerts';
import { alertIdFor, mayLeaveMark, singleWriteKindOf } from '../store/applied-marker';
import { jobKey } from '../store/escalation-jobs';
import type { Key } from '../store/keys';
import { autoResolveJob } from './auto-resolution';

export interface ApplyDeps {
  /** What applying events needs of the alert store: the consistent reads and the conditional writes. */
  alerts: Pick<AlertStore, 'readCandidates' | 'readCandidatesMany' | 'apply' | 'applyAll' | 'findEarlierAttempt' | 'finishSingleWrite'>;
  /** The escalation policy whose routing key this is, if any. */
  policyForRoutingKey: (routingKey: string) => Promise<{ id: string } | undefined>;
  /** An escalation policy by id (a short cache is fine): a new alert's escalation starts only when its policy exists. */
  policyById?: (id: string) => Promise<EscalationPolicy | undefined>;
  now: () => string;
  newId: () => string;
  /** Jittered pause between attempts after a lost race. */
  pause?: (attempt: number) => Promise<void>;
  /** Whether a maintenance window covers the event's source when it was received (absent: never). */
  suppressed?: (event: AcceptedEvent) => Promise<boolean>;
}

/** `jobs`: the escalation jobs written with the event, to be run at once through the notification queue. */
export type ApplyEventResult = { outcome: EventOutcome; alertId?: string; jobs?: Key[] } | { duplicate: true };

const MAX_ATTEMPTS = 10;
const defaultPause = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 6)));

const groupingOf = (source: AlertSource | undefined): Grouping => ({
  mode: source?.alertCreation ?? 'ONE_OPEN_ALERT_ALLOWED',
  windowMinutes: source?.alertGroupingWindow && windowMinutes(source.alertGroupingWindow),
});

/** Window grouping makes an ALERT act on the source's newest alert, whatever its key. */
const readsSource = (event: AcceptedEvent, source: AlertSource | undefined) =>
  event.eventType === 'ALERT' && groupingOf(source).mode === 'ONE_ALERT_GROUPED_PER_WINDOW';

/** What the event needs read: its key's lock (and its source's, under window grouping), and what the lock does not tell. */
const candidateRequest = (event: AcceptedEvent, source: AlertSource | undefined): CandidateRequest => ({
  alertSourceId: event.alertSourceId,
  alertKeyNormalized: normalizeAlertKey(event.alertKey),
  withSource: readsSource(event, source),
  needsStatus: event.eventType === 'ACCEPT' || (event.eventType === 'ALERT' && groupingOf(source).mode === 'ONE_PENDING_ALERT_ALLOWED'),
});

/**
 * How an event is to be applied. `tried`: it may have been tried before (a redelivery, a message re-sent after a local
 * crash or redriven, an event the batch path stopped at), so that what an earlier attempt wrote is looked for first.
 * `singleWrites`: an event may be written with single conditional writes instead of a transaction (see
 * Application.singleWrite); never on an event's last attempt, which writes all or nothing. `mayHaveBeenParked`: a
 * tried event old enough to have used up its attempts and been redriven, whose mark later events may have overwritten:
 * the logs of its key's alerts are searched too (see findEarlierAttempt).
 */
export interface Delivery {
  tried?: boolean;
  singleWrites?: boolean;
  mayHaveBeenParked?: boolean;
}

/** Decides what the event does given what was read, and gathers everything the store needs to write it. */
async function prepare(
  event: AcceptedEvent,
  source: AlertSource | undefined,
  read: CandidateRead,
  deps: ApplyDeps,
  delivery: Delivery = {},
  decided?: Decision,
) {
  const suppress = !decided && event.eventType === 'ALERT' && deps.suppressed && (await deps.suppressed(event));
  const decision: Decision = decided ?? (suppress ? { kind: 'SUPPRESS' } : decide(event, read.candidates, groupingOf(source)));
  const now = deps.now();
  let created;
  if (decision.kind === 'CREATE') {
    const priority = alertPriority(source, event);
    // A routing key picks the policy only for a new alert; appends, ACCEPT and RESOLVE never change it.
    const routingKey = routingKeyToFollow(event.routingKey, source?.allowedRoutingKeys);
    const routed = routingKey ? await deps.policyForRoutingKey(routingKey) : undefined;
    created = newAlert(
      event,
      // The single-write way needs every attempt to create the same alert.
      { id: delivery.singleWrites ? alertIdFor(event.eventId) : deps.newId(), now },
      {
        priority: priority.priority,
        priorityReason: priority.reason,
        escalationPolicy: routed ? { id: routed.id } : source?.escalationPolicy,
      },
    );
  }
  const escalation = await startEscalation(created, deps);
  const log = logEntryFor(decision, event, escalation?.alert ?? created);
  const app: Application = {
    eventId: event.eventId,
    alertSourceId: event.alertSourceId,
    alertKeyNormalized: normalizeAlertKey(event.alertKey),
    now,
    locks: read.locks,
    pendingOnly: groupingOf(source).mode === 'ONE_PENDING_ALERT_ALLOWED',
    fromLock: read.fromLock,
    logEntry: log && { id: deps.newId(), ...log },
    newAlert: escalation?.alert ?? created,
    jobs: withAutoResolve(escalation ? [escalation.job] : noticeJobs(decision, now), created, source),
    // The event's own fields, for its record: in AWS the processor writes it first (ingest writes none).
    received: { eventType: event.eventType, alertKey: event.alertKey, receivedAt: event.receivedAt },
    singleWrite: !!delivery.singleWrites,
  };
  return { decision, app };
}

/** A new alert whose policy exists starts at level 1, due at once; the next level is due after rule 1's timeout (HIGH). */
async function startEscalation(created: Alert | undefined, deps: ApplyDeps): Promise<{ alert: Alert; job: EscalationJob } | undefined> {
  const policy = created?.escalationPolicy && deps.policyById && (await deps.policyById(created.escalationPolicy.id));
  if (!created || !policy) return undefined;
  const first = firstStep(0, created.createdAt);
  const alert = { ...created, escalationLevel: 1, nextEscalationAt: nextStep(policy, created.priority, first)?.dueAt };
  return { alert, job: levelJob(created.id, first) };
}

/** An accept or resolve of an escalating alert tells those notified: a NOTICE job in the same transaction. */
function noticeJobs(decision: Decision, now: string): EscalationJob[] | undefined {
  if ((decision.kind !== 'ACCEPT' && decision.kind !== 'RESOLVE') || decision.alert.escalationLevel === undefined) return undefined;
  return [{ kind: 'NOTICE', alertId: decision.alert.id, reason: decision.kind === 'ACCEPT' ? 'ACCEPTED' : 'RESOLVED', dueAt: now }];
}

/** A new alert of a source with autoResolutionTimeout gets its AUTO_RESOLVE job in the same transaction. */
const withAutoResolve = (jobs: EscalationJob[] | undefined, created: Alert | undefined, source: AlertSource | undefined) =>
  created && source?.autoResolutionTimeout ? [...(jobs ?? []), autoResolveJob(created, source.autoResolutionTimeout)] : jobs;

/** The jobs to run at once: the timed ones (AUTO_RESOLVE) wait for the tick. */
const jobKeysOf = (app: Application): Key[] | undefined => app.jobs?.filter((job) => !isTimedJob(job)).map((job) => jobKey(job, Date.parse(app.now)));

/**
 * Applies one accepted event. The alert source may have been deleted since the event was accepted: the event is
 * still applied, with the defaults (an accepted event is never dropped).
 */
export async function applyEvent(event: AcceptedEvent, source: AlertSource | undefined, deps: ApplyDeps, delivery: Delivery = {}): Promise<ApplyEventResult> {
  if (delivery.tried) {
    const earlier = await finishEarlierAttempt(event, source, deps, delivery);
    if (earlier) return earlier;
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await (deps.pause ?? defaultPause)(attempt);
    // After a lost race the alert is read, not only the lock: what the lock told may be why the write failed.
    const read = await deps.alerts.readCandidates({ ...candidateRequest(event, source), fresh: attempt > 0 });
    const { decision, app } = await prepare(event, source, read, deps, delivery);
    const result = await deps.alerts.apply(decision, app);
    if ('applied' in result) return { outcome: result.applied, alertId: result.alertId, jobs: jobKeysOf(app) };
    if ('duplicate' in result) return { duplicate: true };
  }
  throw new Error(`Event ${event.eventId} lost ${MAX_ATTEMPTS} races for alert key "${event.alertKey}"`);
}

/**
 * What an earlier attempt of the event left: recorded (applied or withdrawn), a duplicate; its mark on an alert (it
 * crashed between a single write's two writes), or its effect on an alert that later events wrote over since (it was
 * parked, then redriven), the rest to write; nothing, undefined: the event is applied anew.
 */
async function finishEarlierAttempt(
  event: AcceptedEvent,
  source: AlertSource | undefined,
  deps: ApplyDeps,
  delivery: Delivery,
): Promise<ApplyEventResult | undefined> {
  // Only an ALERT, ACCEPT or RESOLVE can have left a mark; a COMMENT's transaction is refused by its record.
  if (!mayLeaveMark(event.eventType)) return undefined;
  const request = candidateRequest(event, source);
  const earlier = await deps.alerts.findEarlierAttempt(
    { eventId: event.eventId, receivedAt: event.receivedAt, ...request },
    { mayHaveBeenParked: delivery.mayHaveBeenParked },
  );
  if ('recorded' in earlier) return { duplicate: true };
  if ('none' in earlier) return undefined;
  const { alertId } = 'marked' in earlier ? earlier.marked : earlier.superseded;
  // The mark this event replaced, for its record; none known once later events wrote over its own.
  const replaced = 'marked' in earlier && earlier.marked.replaced !== event.eventId ? earlier.marked.replaced : undefined;
  const kind = singleWriteKindOf(event, alertId)!;
  // The locks as they are now: a creation cut off before its lock writes it against them.
  const read = await deps.alerts.readCandidates({ ...request, fresh: true });
  const decision: Extract<Decision, { kind: typeof kind }> = kind === 'CREATE' ? { kind } : { kind, alert: { id: alertId, status: 'PENDING' } };
  const { app } = await prepare(event, source, read, deps, { singleWrites: true }, decision);
  const result = await deps.alerts.finishSingleWrite(decision, { ...app, replacesMark: replaced });
  // No jobs: a decision that writes jobs never takes the single-write way.
  if ('applied' in result) return { outcome: result.applied, alertId: result.alertId };
  // A creation whose lock changed took its alert back: the event is applied anew.
  return 'conflict' in result ? undefined : { duplicate: true };
}

export interface SourcedEvent {
  event: AcceptedEvent;
  source: AlertSource | undefined;
}

/**
 * At most this many events share one round: a new alert writes at most seven items (its event, key lock, alert,
 * details, source lock, first level and auto-resolution jobs) and a transaction holds 100.
 */
const MAX_ROUND = 14;

/**
 * Splits events, in their order, into rounds of consecutive events that touch different locks: events of different
 * keys, and, for a source with window grouping (whose events may all meet on the source's newest alert), different
 * sources. Within a round no event can see another's effect, so their order inside it does not matter.
 */
export function rounds(items: SourcedEvent[]): SourcedEvent[][] {
  const result: SourcedEvent[][] = [];
  let round: SourcedEvent[] = [];
  let keys = new Set<string>();
  let sources = new Set<string>();
  let wholeSources = new Set<string>();
  for (const item of items) {
    const sourceId = item.event.alertSourceId;
    const whole = groupingOf(item.source).mode === 'ONE_ALERT_GROUPED_PER_WINDOW';
    const key = `${sourceId}\u0000${normalizeAlertKey(item.event.alertKey)}`;
    const clash = whole ? sources.has(sourceId) : keys.has(key) || wholeSources.has(sourceId);
    if (clash || round.length === MAX_ROUND) {
      result.push(round);
      round = [];
      keys = new Set();
      sources = new Set();
      wholeSources = new Set();
    }
    round.push(item);
    keys.add(key);
    sources.add(sourceId);
    if (whole) wholeSources.add(sourceId);
  }
  if (round.length > 0) result.push(round);
  return result;
}

/**
 * Applies several events of a batch with one read of their locks and alerts and one transaction per round, instead of
 * three round trips each. Returns the results of the leading events it applied, in order. It stops at the first round
 * whose transaction is cancelled (a race, a redelivery) or that fails, leaving that round and the rest to be applied
 * one by one, where a race is retried and a failure is counted against its own event. A round that failed may have
 * applied some of its events (its transaction, or single writes): the one-by-one way must treat them as tried.
 */
export async function applyInRounds(
  items: SourcedEvent[],
  deps: ApplyDeps,
  delivery: Pick<Delivery, 'singleWrites'> = {},
): Promise<{ results: ApplyEventResult[]; stoppedBy?: unknown }> {
  const results: ApplyEventResult[] = [];
  try {
    for (const round of rounds(items)) {
      if (round.length === 1) {
        results.push(await applyEvent(round[0].event, round[0].source, deps, delivery));
        continue;
      }
      const reads = await deps.alerts.readCandidatesMany(round.map(({ event, source }) => candidateRequest(event, source)));
      const entries: Array<{ decision: Decision; app: Application }> = [];
      for (const [i, { event, source }] of round.entries()) entries.push(await prepare(event, source, reads[i], deps, delivery));
      const written = await deps.alerts.applyAll(entries);
      if ('cancelled' in written) return { results, stoppedBy: 'a race or a redelivery cancelled the transaction' };
      for (const [i, result] of written.results.entries()) {
        const { event, source } = round[i];
        if ('applied' in result) results.push({ outcome: result.applied, alertId: result.alertId, jobs: jobKeysOf(entries[i].app) });
        else if ('duplicate' in result) results.push({ duplicate: true });
        // A single write that lost a race: read and decided again on its own (its round's others touch other items).
        else results.push(await applyEvent(event, source, deps, delivery));
      }
    }
  } catch (error) {
    // The events not yet applied are applied one by one next, where an error is reported against its own event.
    return { results, stoppedBy: error };
  }
  return { results };
}
