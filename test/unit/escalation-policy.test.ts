// Escalation policy settings: defaults, every limit on both sides, errors naming the field, and how a PUT merges.
import {
  ESCALATION_POLICY_LIMITS as L,
  escalationPolicySettingsSchema,
  mergePolicySettings,
  routingKeyToFollow,
  type EscalationPolicy,
} from '../../lambdas/domain/escalation-policy';
import { fieldErrors, type FieldError } from '../../lambdas/domain/validation';

const RULE = { escalationTimeout: 5 };
const policy = (fields: Record<string, unknown> = {}) => ({ name: 'Database team', escalationRules: [RULE], ...fields });

function parse(body: unknown) {
  const result = escalationPolicySettingsSchema.safeParse(body, { reportInput: true });
  if (!result.success) throw new Error(`expected valid, got ${JSON.stringify(fieldErrors(result.error))}`);
  return result.data;
}

function errorsOf(body: unknown): FieldError[] {
  const result = escalationPolicySettingsSchema.safeParse(body, { reportInput: true });
  if (result.success) throw new Error(`expected invalid, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

const paths = (errors: FieldError[]) => errors.map((e) => e.path).sort();
const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}` }));

describe('escalationPolicySettingsSchema', () => {
  it('fills the defaults: not repeating, frequency 1, no routing key', () => {
    expect(parse(policy())).toEqual({
      name: 'Database team',
      escalationRules: [{ escalationTimeout: 5 }],
      repeating: false,
      frequency: 1,
    });
  });

  it('keeps given values, trims name and routing key, and types the targets', () => {
    const data = parse({
      name: '  Payments  ',
      routingKey: '  payments-oncall ',
      escalationRules: [
        { escalationTimeout: 0, users: [{ id: 'u1' }], schedules: [{ id: 's1' }] },
        { escalationTimeout: 30, users: [{ id: 'u2' }, { id: 'u3' }] },
      ],
      repeating: true,
      frequency: 3,
    });
    expect(data).toEqual({
      name: 'Payments',
      routingKey: 'payments-oncall',
      escalationRules: [
        { escalationTimeout: 0, users: [{ id: 'u1' }], schedules: [{ id: 's1' }] },
        { escalationTimeout: 30, users: [{ id: 'u2' }, { id: 'u3' }] },
      ],
      repeating: true,
      frequency: 3,
    });
  });

  it('treats a null routing key as none, and rejects a blank one', () => {
    expect(parse(policy({ routingKey: null })).routingKey).toBeUndefined();
    expect(errorsOf(policy({ routingKey: '   ' }))).toEqual([{ path: 'routingKey', message: 'must not be empty' }]);
  });

  it('drops unknown and server-owned fields, also inside rules and targets', () => {
    const data = parse(
      policy({ id: 'mine', createdAt: 'then', color: 'red', escalationRules: [{ escalationTimeout: 1, note: 'x', users: [{ id: 'u', name: 'Ann' }] }] }),
    );
    for (const field of ['id', 'createdAt', 'color']) expect(data).not.toHaveProperty(field);
    expect(data.escalationRules).toEqual([{ escalationTimeout: 1, users: [{ id: 'u' }] }]);
  });

  it.each([
    ['escalationTimeout', 0, L.escalationTimeoutMinutes],
    ['frequency', 1, L.frequency],
  ])('accepts %s from %d to %d', (field, min, max) => {
    const at = (value: number) => (field === 'frequency' ? policy({ frequency: value }) : policy({ escalationRules: [{ escalationTimeout: value }] }));
    expect(() => parse(at(min))).not.toThrow();
    expect(() => parse(at(max))).not.toThrow();
  });

  it.each([
    ['escalationRules.0.escalationTimeout', 'must be at least 0', { escalationRules: [{ escalationTimeout: -1 }] }],
    ['escalationRules.0.escalationTimeout', 'must be at most 525600', { escalationRules: [{ escalationTimeout: 525_601 }] }],
    ['escalationRules.0.escalationTimeout', 'must be an integer', { escalationRules: [{ escalationTimeout: 1.5 }] }],
    ['escalationRules.1.escalationTimeout', 'must be a number', { escalationRules: [RULE, { escalationTimeout: '5' }] }],
    ['escalationRules.0.escalationTimeout', 'is required', { escalationRules: [{}] }],
    ['frequency', 'must be at least 1', { frequency: 0 }],
    ['frequency', 'must be at most 9', { frequency: 10 }],
    ['frequency', 'must be an integer', { frequency: 2.5 }],
    ['repeating', 'must be a boolean', { repeating: 'yes' }],
    ['escalationRules', 'must have at least one rule', { escalationRules: [] }],
    ['escalationRules', 'must have at most 20 rules', { escalationRules: Array(L.rules + 1).fill(RULE) }],
    ['escalationRules', 'must be an array', { escalationRules: RULE }],
    ['escalationRules', 'is required', { escalationRules: undefined }],
    ['name', 'is required', { name: undefined }],
    ['name', 'must not be empty', { name: '  ' }],
    ['name', 'must be at most 255 characters', { name: 'n'.repeat(256) }],
    ['routingKey', 'must be at most 255 characters', { routingKey: 'r'.repeat(256) }],
    ['routingKey', 'must be a string', { routingKey: 7 }],
    ['escalationRules.0.users', 'must have at most 20 items', { escalationRules: [{ escalationTimeout: 0, users: targets(L.targetsPerRule + 1) }] }],
    ['escalationRules.0.schedules.0.id', 'must not be empty', { escalationRules: [{ escalationTimeout: 0, schedules: [{ id: '' }] }] }],
  ])('rejects a bad %s: %s', (path, message, fields) => {
    expect(errorsOf(policy(fields))).toEqual([{ path, message }]);
  });

  it('accepts the largest lists and longest texts', () => {
    const data = parse({
      name: 'n'.repeat(255),
      routingKey: 'r'.repeat(255),
      escalationRules: Array(L.rules).fill({ escalationTimeout: 0, users: targets(L.targetsPerRule), schedules: targets(L.targetsPerRule) }),
    });
    expect(data.escalationRules).toHaveLength(20);
  });

  it('lists every bad field at once', () => {
    expect(paths(errorsOf({ name: '', escalationRules: [{ escalationTimeout: -5 }], repeating: 1, frequency: 99 }))).toEqual([
      'escalationRules.0.escalationTimeout',
      'frequency',
      'name',
      'repeating',
    ]);
  });
});

describe('mergePolicySettings', () => {
  const stored: EscalationPolicy = {
    id: 'p1',
    name: 'Old',
    routingKey: 'old-key',
    escalationRules: [{ escalationTimeout: 10 }],
    repeating: true,
    frequency: 2,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };

  it('keeps the stored fields not given, replaces the given ones, and lets null clear the routing key', () => {
    const merged = parse(mergePolicySettings(stored, { name: 'New', routingKey: null }));
    expect(merged).toEqual({ name: 'New', escalationRules: [{ escalationTimeout: 10 }], repeating: true, frequency: 2 });
    expect(merged.routingKey).toBeUndefined();
  });

  it('does not let the patch carry the id or timestamps through', () => {
    const merged = parse(mergePolicySettings(stored, { id: 'other', createdAt: 'x' }));
    expect(merged).not.toHaveProperty('id');
    expect(merged).not.toHaveProperty('createdAt');
    expect(merged).not.toHaveProperty('updatedAt');
  });
});

describe("routingKeyToFollow: an event's routing key picks the policy only if the source allows that key", () => {
  it('follows any routing key when the source does not restrict them', () => {
    expect(routingKeyToFollow('team-b', undefined)).toBe('team-b');
  });

  it("follows only the routing keys the source allows; another leaves the source's policy", () => {
    expect(routingKeyToFollow('team-a', ['team-a'])).toBe('team-a');
    expect(routingKeyToFollow('team-b', ['team-a'])).toBeUndefined();
    expect(routingKeyToFollow('team-a', [])).toBeUndefined();
  });

  it('compares exactly: another case is another routing key', () => {
    expect(routingKeyToFollow('Team-A', ['team-a'])).toBeUndefined();
  });

  it('has nothing to follow without a routing key', () => {
    expect(routingKeyToFollow(undefined, undefined)).toBeUndefined();
    expect(routingKeyToFollow(undefined, ['team-a'])).toBeUndefined();
  });
});
