// Use cases of users: read, list (paged), create, replace and delete, with contacts' targets checked and a user a policy names kept.
import { mergeUserSettings, userSettingsSchema, type User, type UserSettings } from '../domain/user';
import { fieldErrors } from '../domain/validation';
import { InvalidCursorError } from '../store/cursor';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { EscalationPoliciesPort, Host, Page, PageRequest, UsersPort } from './ports';

export interface UserDeps {
  users: UsersPort;
  policies: Pick<EscalationPoliciesPort, 'list'>;
  host: Pick<Host, 'now' | 'newId'>;
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS: contacts may target http: and addresses inside the network. */
  allowPrivateTargets: boolean;
}

/** How many times a change is decided again on a fresh read before the caller is asked to retry. */
const FRESH_READS = 5;

export class Users {
  private readonly schema: ReturnType<typeof userSettingsSchema>;

  constructor(private readonly deps: UserDeps) {
    this.schema = userSettingsSchema({ allowPrivateTargets: deps.allowPrivateTargets });
  }

  async list(page: PageRequest): Promise<Page<User>> {
    try {
      return await this.deps.users.list(page);
    } catch (error) {
      // A cursor the store refuses is the caller's mistake (altered, or from another listing), never a 500.
      if (error instanceof InvalidCursorError) throw new ValidationError(error.message, [{ path: 'nextCursor', message: error.message }], 'INVALID_CURSOR');
      throw error;
    }
  }

  async get(id: string): Promise<User> {
    const user = await this.deps.users.get(id);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  async create(input: Record<string, unknown>): Promise<User> {
    const settings = this.parseSettings(input);
    const now = this.deps.host.now();
    const user: User = { id: this.deps.host.newId(), ...settings, createdAt: now, updatedAt: now };
    await this.deps.users.create(user);
    return user;
  }

  /** `patch` holds the settings to change; the others keep their current values (contacts' secrets too, see mergeUserSettings). */
  replace(id: string, patch: Record<string, unknown>): Promise<User> {
    return this.withFreshUser(id, async (current) => {
      const settings = this.parseSettings(mergeUserSettings(current, patch));
      const updated: User = { ...settings, id: current.id, createdAt: current.createdAt, updatedAt: this.laterThan(current.updatedAt) };
      return (await conditionalWrite(() => this.deps.users.replace(updated, current))) ? updated : undefined;
    });
  }

  /** Refused while an escalation policy names the user. */
  async delete(id: string): Promise<void> {
    await this.withFreshUser(id, async (current) => {
      await this.checkNotInUse(current);
      return (await conditionalWrite(() => this.deps.users.delete(current))) ? true : undefined;
    });
  }

  private parseSettings(input: unknown): UserSettings {
    const parsed = this.schema.safeParse(input, { reportInput: true });
    if (parsed.success) return parsed.data;
    const errors = fieldErrors(parsed.error);
    throw new ValidationError(`Invalid user: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }

  /** The store's write condition compares updatedAt: a change within the same millisecond must still move it. */
  private laterThan(previous: string): string {
    const now = this.deps.host.now();
    return now > previous ? now : new Date(Date.parse(previous) + 1).toISOString();
  }

  /**
   * A read, not a condition (policies keep no reference count), as for POLICY_IN_USE: a policy saved at this very
   * moment can still name the user, so whoever follows a rule's users must cope with a user that is gone.
   */
  private async checkNotInUse(user: User): Promise<void> {
    const naming = (await this.deps.policies.list()).filter((p) => p.escalationRules.some((rule) => rule.users?.some((u) => u.id === user.id)));
    if (naming.length === 0) return;
    const names = naming.map((p) => `"${p.name}" (${p.id})`).join(', ');
    throw new ConflictError('USER_IN_USE', `The user is named by ${naming.length} escalation policy(ies): ${names}; remove them from the rules first`);
  }

  /** As for escalation policies: a write that lost a race is decided again on a fresh read (404 once the user is gone). */
  private async withFreshUser<T>(id: string, work: (current: User) => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const done = await work(await this.get(id));
      if (done !== undefined) return done;
    }
    throw new ConflictError('CONFLICT', 'The user changed while it was being updated; retry');
  }
}
