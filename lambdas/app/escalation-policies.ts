// Use cases of escalation policies: read, create, replace and delete, with the routing key unique and a policy in use kept.
import { escalationPolicySettingsSchema, mergePolicySettings, type EscalationPolicy, type EscalationPolicySettings } from '../domain/escalation-policy';
import { fieldErrors } from '../domain/validation';
import { RoutingKeyTakenError } from '../store/escalation-policies';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { AlertSourcesPort, EscalationPoliciesPort, Host, UsersPort } from './ports';

export interface EscalationPolicyDeps {
  policies: EscalationPoliciesPort;
  sources: Pick<AlertSourcesPort, 'list'>;
  /** Rules name users: each must exist when the policy is saved. */
  users: Pick<UsersPort, 'get'>;
  host: Pick<Host, 'now' | 'newId'>;
}

/** How many times a change is decided again on a fresh read before the caller is asked to retry. */
const FRESH_READS = 5;

function parseSettings(input: unknown): EscalationPolicySettings {
  const parsed = escalationPolicySettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  throw new ValidationError(`Invalid escalation policy: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** The store's refusal of a routing key another policy holds, in the caller's terms. */
async function claimingRoutingKey<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof RoutingKeyTakenError)) throw error;
    throw new ConflictError('ROUTING_KEY_TAKEN', error.message, [{ path: 'routingKey', message: 'is already used by another escalation policy' }]);
  }
}

export class EscalationPolicies {
  constructor(private readonly deps: EscalationPolicyDeps) {}

  list(): Promise<EscalationPolicy[]> {
    return this.deps.policies.list();
  }

  async get(id: string): Promise<EscalationPolicy> {
    const policy = await this.deps.policies.get(id);
    if (!policy) throw new NotFoundError('Escalation policy');
    return policy;
  }

  async create(input: Record<string, unknown>): Promise<EscalationPolicy> {
    const settings = parseSettings(input);
    await this.checkUsersExist(settings);
    const now = this.deps.host.now();
    const policy: EscalationPolicy = { id: this.deps.host.newId(), ...settings, createdAt: now, updatedAt: now };
    await claimingRoutingKey(() => this.deps.policies.create(policy));
    return policy;
  }

  /** `patch` holds the settings to change; the others keep their current values. */
  replace(id: string, patch: Record<string, unknown>): Promise<EscalationPolicy> {
    return this.withFreshPolicy(id, async (current) => {
      const settings = parseSettings(mergePolicySettings(current, patch));
      await this.checkUsersExist(settings);
      const updated: EscalationPolicy = { ...settings, id: current.id, createdAt: current.createdAt, updatedAt: this.deps.host.now() };
      return (await conditionalWrite(() => claimingRoutingKey(() => this.deps.policies.replace(updated, current)))) ? updated : undefined;
    });
  }

  /** Refused while an alert source names the policy. */
  async delete(id: string): Promise<void> {
    await this.withFreshPolicy(id, async (current) => {
      await this.checkNotInUse(current);
      return (await conditionalWrite(() => this.deps.policies.delete(current))) ? true : undefined;
    });
  }

  /**
   * Every user a rule names must exist: a 400 naming each unknown one's path. A read, not a condition, as for
   * USER_IN_USE: a user deleted at this very moment can still be named, and the engine skips a user that is gone.
   */
  private async checkUsersExist(settings: EscalationPolicySettings): Promise<void> {
    const named = settings.escalationRules.flatMap((rule, i) =>
      (rule.users ?? []).map((user, j) => ({ id: user.id, path: `escalationRules.${i}.users.${j}.id` })),
    );
    const ids = [...new Set(named.map((n) => n.id))];
    const found = await Promise.all(ids.map(async (id) => [id, (await this.deps.users.get(id)) !== undefined] as const));
    const known = new Map(found);
    const errors = named.filter((n) => !known.get(n.id)).map((n) => ({ path: n.path, message: `names no existing user: ${n.id}` }));
    if (errors.length) throw new ValidationError(`Invalid escalation policy: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }

  /**
   * A read, not a condition (alert sources keep no reference count): a source saved at this very moment can still
   * name the policy, so whoever follows escalationPolicy.id must cope with a policy that is gone.
   */
  private async checkNotInUse(policy: EscalationPolicy): Promise<void> {
    const referencing = (await this.deps.sources.list()).filter((s) => s.escalationPolicy?.id === policy.id);
    if (referencing.length === 0) return;
    const names = referencing.map((s) => `"${s.name}" (${s.id})`).join(', ');
    throw new ConflictError('POLICY_IN_USE', `The escalation policy is used by ${referencing.length} alert source(s): ${names}; point them elsewhere first`);
  }

  /**
   * Writes are conditioned on the policy as read; when it changed in between, the change is decided again on a fresh
   * read (which also answers 404 once it is gone). `work` answers undefined when its write lost that race.
   */
  private async withFreshPolicy<T>(id: string, work: (current: EscalationPolicy) => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const done = await work(await this.get(id));
      if (done !== undefined) return done;
    }
    throw new ConflictError('CONFLICT', 'The escalation policy changed while it was being updated; retry');
  }
}
