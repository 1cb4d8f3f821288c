// Escalation policies: who is notified after how many minutes, the optional routing key, and the schema of the management API's bodies.
import * as z from 'zod';

export const ESCALATION_POLICY_LIMITS = {
  nameChars: 255,
  routingKeyChars: 255,
  rules: 20,
  targetsPerRule: 20,
  targetIdChars: 255,
  /** One year in minutes, as ilert allows. */
  escalationTimeoutMinutes: 525_600,
  frequency: 9,
} as const;

/** A user or an on-call schedule notified by a rule, named by id. */
export interface EscalationTarget {
  id: string;
}

export interface EscalationRule {
  /** Minutes after the previous rule (or the alert's creation, for the first) before this rule's targets are notified. */
  escalationTimeout: number;
  users?: EscalationTarget[];
  schedules?: EscalationTarget[];
}

export interface EscalationPolicy {
  id: string;
  name: string;
  /** Unique across policies: an ALERT event carrying it uses this policy instead of its source's. */
  routingKey?: string;
  escalationRules: EscalationRule[];
  /** Whether the rules start over once the last one has passed without an acceptance, `frequency` times. */
  repeating: boolean;
  frequency: number;
  createdAt: string;
  updatedAt: string;
}

const L = ESCALATION_POLICY_LIMITS;

/** Clients often send null for an absent optional field; treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

// Integer-ness as a refinement: zod's .int() reports a type error, which would read "must be an int".
const integer = (min: number, max: number) =>
  z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).refine(Number.isInteger, 'must be an integer');

const targets = optional(z.array(z.object({ id: text(L.targetIdChars) })).max(L.targetsPerRule, `must have at most ${L.targetsPerRule} items`));

export const escalationRuleSchema = z.object({
  escalationTimeout: integer(0, L.escalationTimeoutMinutes),
  users: targets,
  schedules: targets,
});

/** The settings a client may write; id and timestamps are the server's. Unknown fields are dropped. */
export const escalationPolicySettingsSchema = z.object({
  name: text(L.nameChars),
  routingKey: optional(text(L.routingKeyChars)),
  escalationRules: z.array(escalationRuleSchema).min(1, 'must have at least one rule').max(L.rules, `must have at most ${L.rules} rules`),
  repeating: z.boolean().default(false),
  frequency: integer(1, L.frequency).default(1),
});
export type EscalationPolicySettings = z.output<typeof escalationPolicySettingsSchema>;

/** PUT merges the given fields over the stored policy, then validates the whole as on create. */
export function mergePolicySettings(current: EscalationPolicy, patch: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...settings } = current;
  return { ...settings, ...patch };
}

/**
 * The routing key a new alert's event may follow to another escalation policy, or undefined when the
 * source's own policy applies: the event has none, or its source allows only some routing keys and not this one.
 * Compared exactly: both sides are trimmed when they are parsed.
 */
export function routingKeyToFollow(routingKey: string | undefined, allowedRoutingKeys: readonly string[] | undefined): string | undefined {
  if (!routingKey) return undefined;
  return allowedRoutingKeys === undefined || allowedRoutingKeys.includes(routingKey) ? routingKey : undefined;
}
