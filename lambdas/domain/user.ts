// Users and their contacts: the schema of the management API's bodies, how a PUT keeps stored secrets, and the view a client sees.
import * as z from 'zod';
import { isValidTimeZone } from './alert-source';
import { PRIORITIES, type Priority } from './event';
import { isEmailAddress, targetProblem } from './outbound-address';

export const CONTACT_TYPES = ['EMAIL', 'WEBHOOK', 'SLACK'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export interface Contact {
  type: ContactType;
  /** An email address (EMAIL) or a URL (WEBHOOK, SLACK). */
  target: string;
  /** WEBHOOK only: signs deliveries. Write-only: never answered. */
  secret?: string;
  /** The alert priorities this contact is used for. */
  priorities: Priority[];
}

export interface User {
  id: string;
  firstName: string;
  lastName: string;
  email?: string;
  /** IANA time zone. */
  timezone?: string;
  contacts: Contact[];
  createdAt: string;
  updatedAt: string;
}

/** A contact as the API answers it: whether it has a secret, never the secret. */
export type ContactView = Omit<Contact, 'secret'> & { hasSecret: boolean };
export type UserView = Omit<User, 'contacts'> & { contacts: ContactView[] };

export const USER_LIMITS = {
  nameChars: 255,
  contacts: 10,
  targetChars: 2048,
  secretChars: 256,
} as const;

const L = USER_LIMITS;

/** Clients often send null for an absent optional field; treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const priorities = z
  .array(z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }))
  .min(1, 'must name at least one priority')
  .refine((list) => new Set(list).size === list.length, 'must not repeat a priority')
  .nullish()
  .transform((v): Priority[] => v ?? [...PRIORITIES]);

function contactSchema(allowPrivateTargets: boolean) {
  return z
    .object({
      type: z.enum(CONTACT_TYPES, { error: `must be one of ${CONTACT_TYPES.join(', ')}` }),
      target: text(L.targetChars),
      // Not trimmed: a secret is compared byte for byte by the receiver.
      secret: optional(z.string().min(1, 'must not be empty').max(L.secretChars, `must be at most ${L.secretChars} characters`)),
      priorities,
    })
    .superRefine((contact, ctx) => {
      const problem = targetProblem(contact.type, contact.target, allowPrivateTargets);
      if (problem) ctx.addIssue({ code: 'custom', path: ['target'], message: problem, input: contact.target });
      if (contact.secret !== undefined && contact.type !== 'WEBHOOK') {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is only used by WEBHOOK contacts', input: contact.secret });
      }
    });
}

/**
 * The settings a client may write; id and timestamps are the server's. Unknown fields are dropped.
 * `allowPrivateTargets` (ALLOW_PRIVATE_WEBHOOK_TARGETS) admits http: and addresses inside the network.
 */
export function userSettingsSchema(options: { allowPrivateTargets: boolean }) {
  return z.object({
    firstName: text(L.nameChars),
    lastName: text(L.nameChars),
    email: optional(text(254).refine(isEmailAddress, 'must be an email address')),
    timezone: optional(z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin')),
    contacts: z
      .array(contactSchema(options.allowPrivateTargets))
      .max(L.contacts, `must have at most ${L.contacts} items`)
      .nullish()
      .transform((v) => v ?? []),
  });
}
export type UserSettings = z.output<ReturnType<typeof userSettingsSchema>>;

const sameContact = (raw: Record<string, unknown>, stored: Contact): boolean =>
  raw.type === stored.type && typeof raw.target === 'string' && raw.target.trim() === stored.target;

/**
 * PUT merges the given fields over the stored user, then validates the whole as on create. A contact given without a
 * `secret` field keeps the stored secret of the contact with the same type and target, so that a client can save a
 * user without re-entering secrets it was never shown; `"secret": null` removes it.
 */
export function mergeUserSettings(current: User, patch: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...settings } = current;
  const merged: Record<string, unknown> = { ...settings, ...patch };
  if (Array.isArray(patch.contacts)) {
    merged.contacts = patch.contacts.map((raw: unknown) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'secret' in raw) return raw;
      const kept = current.contacts.find((stored) => stored.secret !== undefined && sameContact(raw as Record<string, unknown>, stored));
      return kept ? { ...raw, secret: kept.secret } : raw;
    });
  }
  return merged;
}

export function userView(user: User): UserView {
  return { ...user, contacts: user.contacts.map(({ secret, ...contact }) => ({ ...contact, hasSecret: secret !== undefined })) };
}

/** "Uma Oncall", as log entries name a user. */
export const displayName = (user: Pick<User, 'firstName' | 'lastName'>): string => `${user.firstName} ${user.lastName}`;
