// The escalation rules: which level follows which and when, who a level notifies, and the engine's deterministic names.
import {
  addMinutes,
  displayTarget,
  firstStep,
  jobMinute,
  levelStep,
  levelUserIds,
  nextStep,
  notificationId,
  recipients,
  type EscalationStep,
} from '../../lambdas/domain/escalation';
import type { EscalationPolicy } from '../../lambdas/domain/escalation-policy';
import type { User } from '../../lambdas/domain/user';

const T0 = '2025-01-15T09:00:00.000Z';

function policy(fields: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    id: 'p1',
    name: 'Database team',
    escalationRules: [
      { escalationTimeout: 5, users: [{ id: 'uma' }] },
      { escalationTimeout: 10, users: [{ id: 'vic' }, { id: 'uma' }] },
    ],
    repeating: false,
    frequency: 1,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** Every step a HIGH alert goes through from its first level, as `E0R<round>L<level>@<minutes after T0>`. */
function walk(p: EscalationPolicy): string[] {
  const seen: string[] = [];
  for (let step: EscalationStep | undefined = firstStep(0, T0); step; step = nextStep(p, 'HIGH', step)) {
    seen.push(`${levelStep(step)}@${(Date.parse(step.dueAt) - Date.parse(T0)) / 60_000}`);
    if (seen.length > 100) throw new Error('no end');
  }
  return seen;
}

describe('nextStep', () => {
  it('HIGH goes through every rule, each after the previous rule timeout, then stops', () => {
    expect(walk(policy())).toEqual(['E0R0L1@0', 'E0R0L2@5']);
  });

  it('LOW never escalates', () => {
    expect(nextStep(policy(), 'LOW', firstStep(0, T0))).toBeUndefined();
  });

  it('repeating with frequency 2 runs two more rounds, each after the last rule timeout', () => {
    expect(walk(policy({ repeating: true, frequency: 2 }))).toEqual(['E0R0L1@0', 'E0R0L2@5', 'E0R1L1@15', 'E0R1L2@20', 'E0R2L1@30', 'E0R2L2@35']);
  });

  it('a frequency without repeating adds no round', () => {
    expect(walk(policy({ frequency: 3 }))).toEqual(['E0R0L1@0', 'E0R0L2@5']);
  });

  it('a timeout of 0 makes the next level due at once; the epoch is kept', () => {
    const p = policy({
      escalationRules: [
        { escalationTimeout: 0, users: [] },
        { escalationTimeout: 1, users: [] },
      ],
    });
    expect(nextStep(p, 'HIGH', firstStep(3, T0))).toEqual({ epoch: 3, round: 0, level: 2, dueAt: T0 });
  });
});

describe('who a level notifies', () => {
  const uma: User = {
    id: 'uma',
    firstName: 'Uma',
    lastName: 'Oncall',
    contacts: [
      { type: 'WEBHOOK', target: 'https://hooks.example.com/secret-path', priorities: ['HIGH'] },
      { type: 'EMAIL', target: 'uma@example.com', priorities: ['HIGH', 'LOW'] },
    ],
    createdAt: T0,
    updatedAt: T0,
  };

  it('rule n users, each once', () => {
    expect(levelUserIds(policy({ escalationRules: [{ escalationTimeout: 1, users: [{ id: 'a' }, { id: 'b' }, { id: 'a' }] }] }), 1)).toEqual(['a', 'b']);
    expect(levelUserIds(policy(), 3)).toEqual([]);
  });

  it('only the contacts whose priorities include the alert priority, keeping their index', () => {
    expect(recipients([uma], 'HIGH').map((r) => r.contactIndex)).toEqual([0, 1]);
    expect(recipients([uma], 'LOW').map((r) => [r.contactIndex, r.contact.type])).toEqual([[1, 'EMAIL']]);
  });

  it('a URL target is shown by scheme and host only', () => {
    expect(displayTarget(uma.contacts[0])).toBe('https://hooks.example.com');
    expect(displayTarget(uma.contacts[1])).toBe('uma@example.com');
  });
});

describe('names', () => {
  it('notification ids are deterministic, 26 hex characters, and differ per step and contact', () => {
    const base = { alertId: 'a1', epoch: 0, round: 0, what: 1, userId: 'uma', contactIndex: 0 };
    expect(notificationId(base)).toBe(notificationId({ ...base }));
    expect(notificationId(base)).toMatch(/^[0-9a-f]{26}$/);
    const others = [{ epoch: 1 }, { round: 1 }, { what: 2 }, { what: 'ACCEPTED' }, { userId: 'vic' }, { contactIndex: 1 }];
    for (const change of others) expect(notificationId({ ...base, ...change })).not.toBe(notificationId(base));
  });

  it('a job goes to the minute it falls due, or to now when it is already due', () => {
    expect(jobMinute('2025-01-15T09:05:30.000Z', Date.parse(T0))).toBe('2025-01-15T09:05');
    expect(jobMinute(T0, Date.parse('2025-01-15T09:07:59.999Z'))).toBe('2025-01-15T09:07');
    expect(addMinutes('2025-01-15T23:59', 2)).toBe('2025-01-16T00:01');
    expect(addMinutes('2025-01-15T00:00', -1)).toBe('2025-01-14T23:59');
  });
});
