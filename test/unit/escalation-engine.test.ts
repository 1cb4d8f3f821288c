// The engine's use case on in-memory stores: a level's claim, its expansion into notifications, and the tick's cursor.
import { MAX_JOB_FAILURES, MAX_TIMED_RETRY_MS, runJob, tick, type EscalationDeps } from '../../lambdas/app/escalation';
import type { NotificationRecord } from '../../lambdas/app/ports';
import type { Alert } from '../../lambdas/domain/alert';
import { isFirstOfRouting, jobStep, levelStep, type EscalationJob } from '../../lambdas/domain/escalation';
import type { EscalationPolicy } from '../../lambdas/domain/escalation-policy';
import type { User } from '../../lambdas/domain/user';
import { jobKey, type Claim, type StoredJob } from '../../lambdas/store/escalation-jobs';
import type { Key } from '../../lambdas/store/keys';

const T0 = Date.parse('2025-01-15T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** The claim's conditions as the DynamoDB store states them, on an alert and jobs in memory. */
class MemoryEngine {
  alert: Alert & { escalationEpoch: number; escalationStep?: string };
  jobs = new Map<string, StoredJob>();
  cursorMinute?: string;
  /** Called just before a claim is judged: a test changes the alert there, as a concurrent accept would. */
  beforeClaim: () => void = () => {};
  constructor(alert: Alert) {
    this.alert = { ...alert, escalationEpoch: 0 };
  }
  put(job: EscalationJob, nowMs: number): Key {
    const key = jobKey(job, nowMs);
    this.jobs.set(`${key.pk}|${key.sk}`, { key, job });
    return key;
  }
  async get(key: Key) {
    const found = this.jobs.get(`${key.pk}|${key.sk}`);
    return found && { ...found };
  }
  async delete(key: Key) {
    this.jobs.delete(`${key.pk}|${key.sk}`);
  }
  async inMinute(minute: string) {
    // Copies, as a query's answer is: what a run writes afterwards is not in them.
    return [...this.jobs.values()].filter((j) => j.key.pk === `ESCJOB#${minute}`).map((j) => ({ ...j }));
  }
  async postpone(from: Key, untilMs: number, failures: number) {
    const stored = this.jobs.get(`${from.pk}|${from.sk}`);
    if (!stored) return;
    this.jobs.delete(`${from.pk}|${from.sk}`);
    const key = jobKey(stored.job, untilMs);
    this.jobs.set(`${key.pk}|${key.sk}`, { ...stored, key, failures });
  }
  async cursor() {
    return this.cursorMinute;
  }
  async moveCursor(minute: string) {
    if (!this.cursorMinute || this.cursorMinute < minute) this.cursorMinute = minute;
  }
  async escalationState() {
    return { status: this.alert.status, epoch: this.alert.escalationEpoch, step: this.alert.escalationStep };
  }
  async claimLevel(claim: Claim) {
    this.beforeClaim();
    const job = claim.stored.job;
    const stored = this.jobs.get(`${claim.stored.key.pk}|${claim.stored.key.sk}`);
    const pendingOnly = !isFirstOfRouting(job) || claim.next !== undefined;
    const statusAllows = pendingOnly ? this.alert.status === 'PENDING' : this.alert.status !== 'RESOLVED';
    const ok = stored && !stored.claimedAt && this.alert.escalationEpoch === job.epoch && this.alert.escalationStep === job.after && statusAllows;
    if (!ok) return false;
    stored.claimedAt = iso(claim.nowMs);
    Object.assign(this.alert, { escalationStep: jobStep(job), escalationLevel: job.level, nextEscalationAt: claim.next?.dueAt });
    if (claim.next) this.put(claim.next, claim.nowMs);
    return true;
  }
}

const policy: EscalationPolicy = {
  id: 'p1',
  name: 'Database team',
  escalationRules: [
    { escalationTimeout: 5, users: [{ id: 'uma' }] },
    { escalationTimeout: 5, users: [{ id: 'vic' }] },
  ],
  repeating: false,
  frequency: 1,
  createdAt: iso(T0),
  updatedAt: iso(T0),
};

const userOf = (id: string): User => ({
  id,
  firstName: id,
  lastName: 'Oncall',
  contacts: [{ type: 'WEBHOOK', target: `https://hooks.example.com/${id}`, priorities: ['HIGH', 'LOW'] }],
  createdAt: iso(T0),
  updatedAt: iso(T0),
});

function setUp() {
  let nowMs = T0;
  const alert: Alert = {
    id: 'a1',
    alertSourceId: 's1',
    alertKey: 'disk',
    summary: 'Disk full',
    status: 'PENDING',
    priority: 'HIGH',
    escalationPolicy: { id: 'p1' },
    escalationLevel: 1,
    images: [],
    links: [],
    customDetails: {},
    eventCount: 1,
    createdAt: iso(T0),
    updatedAt: iso(T0),
  };
  const engine = new MemoryEngine(alert);
  const records = new Map<string, NotificationRecord>();
  const delivered: string[] = [];
  const deps: EscalationDeps = {
    jobs: engine,
    alerts: { get: async () => ({ ...engine.alert }) },
    policies: { get: async () => policy },
    users: { get: async (id) => userOf(id) },
    notifications: {
      putIfAbsent: async (n) => !records.has(n.sk) && (records.set(n.sk, n), true),
      listForAlert: async () => [...records.values()],
    },
    queue: { deliver: async (d) => void delivered.push(d.sk) },
    now: () => nowMs,
    newId: () => `id-${Math.random()}`,
  };
  const first = engine.put({ kind: 'LEVEL', alertId: 'a1', epoch: 0, round: 0, level: 1, dueAt: iso(T0) }, T0);
  return { engine, records, delivered, deps, first, advance: (minutes: number) => (nowMs += minutes * 60_000) };
}

const levelsOf = (records: Map<string, NotificationRecord>) => [...records.values()].map((n) => `${n.userId}:${n.reason}:${n.level}`);

describe('runJob', () => {
  it('claims level 1, plans level 2 after the first rule timeout, notifies and deletes the job', async () => {
    const { engine, records, delivered, deps, first } = setUp();
    expect(await runJob(first, deps)).toBe(true);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(delivered).toHaveLength(1);
    expect(engine.alert).toMatchObject({ escalationStep: 'E0R0L1', nextEscalationAt: iso(T0 + 5 * 60_000) });
    expect([...engine.jobs.values()].map((j) => levelStep(j.job as { epoch: number; round: number; level: number }))).toEqual(['E0R0L2']);
  });

  it('a job run twice notifies once', async () => {
    const { records, delivered, deps, first } = setUp();
    await runJob(first, deps);
    await runJob(first, deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(delivered).toHaveLength(1);
  });

  it('an accept between the read and the claim: level 1 still goes out, and no level 2 is planned', async () => {
    const { engine, records, deps, first } = setUp();
    engine.beforeClaim = () => (engine.alert.status = 'ACCEPTED');
    await runJob(first, deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(engine.jobs.size).toBe(0);
    expect(engine.alert.nextEscalationAt).toBeUndefined();
  });

  it('a later level of an accepted alert is dropped, nothing sent', async () => {
    const { engine, records, deps, first, advance } = setUp();
    await runJob(first, deps);
    engine.alert.status = 'ACCEPTED';
    advance(5);
    await tick(deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(engine.jobs.size).toBe(0);
  });

  it('NOTICE: one ACCEPTED notice per webhook contact already notified', async () => {
    const { engine, records, deps, first } = setUp();
    await runJob(first, deps);
    const notice = engine.put({ kind: 'NOTICE', alertId: 'a1', reason: 'ACCEPTED', dueAt: iso(T0) }, T0);
    await runJob(notice, deps);
    await runJob(notice, deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1', 'uma:ACCEPTED:1']);
  });
});

describe('tick', () => {
  it('runs only what is due, and keeps the cursor on the first partition still holding a job', async () => {
    const { engine, records, deps, advance } = setUp();
    await tick(deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(engine.cursorMinute).toBe('2025-01-15T08:58');
    advance(4);
    await tick(deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(engine.cursorMinute).toBe('2025-01-15T09:02');
    advance(1);
    await tick(deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1', 'vic:ESCALATION:2']);
    expect(engine.jobs.size).toBe(0);
  });

  it('a job that fails is retried the next minute, and does not hold the cursor back', async () => {
    const { engine, records, deps, advance } = setUp();
    const failing = { ...deps, users: { get: async () => Promise.reject(new Error('table unavailable')) } };
    expect(await tick(failing)).toEqual({ ran: 1, failed: 1 });
    expect([...engine.jobs.values()].map((j) => [j.key.pk, j.failures])).toEqual([['ESCJOB#2025-01-15T09:01', 1]]);
    expect(await tick(deps)).toEqual({ ran: 0, failed: 0 });
    advance(1);
    expect(await tick(deps)).toEqual({ ran: 1, failed: 0 });
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
  });

  it(`a job that fails ${MAX_JOB_FAILURES} ticks in a row is given up, and the cursor moves on`, async () => {
    const { engine, records, deps, advance } = setUp();
    const failing = { ...deps, users: { get: async () => Promise.reject(new Error('a user that cannot be read')) } };
    for (let i = 1; i < MAX_JOB_FAILURES; i++) {
      await tick(failing);
      expect([...engine.jobs.values()].map((j) => j.failures)).toEqual([i]);
      advance(1);
    }
    expect(await tick(failing)).toEqual({ ran: 1, failed: 1 });
    expect(engine.jobs.size).toBe(0);
    expect(records.size).toBe(0);
    advance(5);
    await tick(deps);
    expect(engine.cursorMinute).toBe('2025-01-15T09:12');
  });

  it(`a HEARTBEAT job is never given up: past ${MAX_JOB_FAILURES} failures it waits longer each time (at most an hour), then runs`, async () => {
    const { engine, deps, advance } = setUp();
    engine.jobs.clear();
    engine.put({ kind: 'HEARTBEAT', monitorId: 'm1', dueAt: iso(T0) }, T0);
    let ran = 0;
    const failing = { ...deps, timed: () => Promise.reject(new Error('event queue down')) };
    const waits: number[] = [];
    for (let i = 1; i <= MAX_JOB_FAILURES + 2; i++) {
      const before = Date.parse(`${[...engine.jobs.values()][0].key.pk.slice('ESCJOB#'.length)}:00.000Z`);
      expect(await tick(failing)).toEqual({ ran: 1, failed: 1 });
      const [job] = [...engine.jobs.values()];
      expect(job.failures).toBe(i);
      const at = Date.parse(`${job.key.pk.slice('ESCJOB#'.length)}:00.000Z`);
      waits.push(at - Math.max(before, T0));
      advance((at - deps.now()) / 60_000);
    }
    expect(waits.slice(0, 3)).toEqual([60_000, 120_000, 240_000]);
    expect(Math.max(...waits)).toBe(MAX_TIMED_RETRY_MS);
    expect(await tick({ ...deps, timed: async () => (ran++, true) })).toEqual({ ran: 1, failed: 0 });
    expect(ran).toBe(1);
  });

  it('a claimed level whose claimer died before sending is sent after its lease, even when a later level went first', async () => {
    const { engine, records, deps, first, advance } = setUp();
    // The claimer dies between the claim (which also planned level 2) and the sends.
    const dying = { ...deps, notifications: { ...deps.notifications, putIfAbsent: () => Promise.reject(new Error('killed')) } };
    await expect(runJob(first, dying)).rejects.toThrow('killed');
    expect(records.size).toBe(0);
    advance(5);
    // Level 2 falls due and goes out first (the notifier's fast path, or a tick that read its partition first).
    const second = [...engine.jobs.values()].find((j) => j.key.sk.includes('E0R0L2'))!;
    await runJob(second.key, deps);
    expect(levelsOf(records)).toEqual(['vic:ESCALATION:2']);
    await tick(deps);
    expect(levelsOf(records).sort()).toEqual(['uma:ESCALATION:1', 'vic:ESCALATION:2']);
    expect(engine.jobs.size).toBe(0);
  });

  it('a tick whose run dies after the claim moves the job aside with its claim, and a later tick sends the level once', async () => {
    const { engine, records, delivered, deps, advance } = setUp();
    const dying = { ...deps, queue: { deliver: () => Promise.reject(new Error('killed before the enqueue')) } };
    expect(await tick(dying)).toEqual({ ran: 1, failed: 1 });
    expect([...engine.jobs.values()].map((j) => [j.key.sk.slice(-6), Boolean(j.claimedAt), j.failures ?? 0]).sort()).toEqual([
      ['E0R0L1', true, 1],
      ['E0R0L2', false, 0],
    ]);
    advance(1);
    await tick(deps);
    expect(levelsOf(records)).toEqual(['uma:ESCALATION:1']);
    expect(delivered).toHaveLength(1);
  });

  it('a claimed level is not sent again while its claimer may still be sending, nor once the alert is resolved', async () => {
    const { engine, records, deps, first, advance } = setUp();
    const dying = { ...deps, notifications: { ...deps.notifications, putIfAbsent: () => Promise.reject(new Error('killed')) } };
    await expect(runJob(first, dying)).rejects.toThrow('killed');
    expect(await runJob(first, deps)).toBe(false);
    expect(records.size).toBe(0);
    engine.alert.status = 'RESOLVED';
    advance(1);
    expect(await runJob(first, deps)).toBe(true);
    expect(records.size).toBe(0);
  });
});
