// Use cases of alert sources: read, create, replace (a partial update merged into the current settings) and delete.
import { alertSourceSettingsSchema, mergeSettings, type AlertSource, type AlertSourceSettings } from '../domain/alert-source';
import { fieldErrors } from '../domain/validation';
import { planAutoResolution, type AutoResolvePlanDeps } from './auto-resolution';
import { conditionalWrite, NotFoundError, ValidationError } from './errors';
import type { AlertSourcesPort, EscalationPoliciesPort, Host } from './ports';

export interface AlertSourceDeps {
  sources: AlertSourcesPort;
  policies: Pick<EscalationPoliciesPort, 'get'>;
  host: Host;
  /** Where setting a source's autoResolutionTimeout plans the jobs of its open alerts (absent: none are planned). */
  autoResolve?: AutoResolvePlanDeps;
}

function parseSettings(input: unknown): AlertSourceSettings {
  const parsed = alertSourceSettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  throw new ValidationError(`Invalid alert source: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

export class AlertSources {
  constructor(private readonly deps: AlertSourceDeps) {}

  list(): Promise<AlertSource[]> {
    return this.deps.sources.list();
  }

  async get(id: string): Promise<AlertSource> {
    const source = await this.deps.sources.get(id);
    if (!source) throw new NotFoundError('Alert source');
    return source;
  }

  async create(input: Record<string, unknown>): Promise<AlertSource> {
    const settings = parseSettings(input);
    await this.checkPolicyReference(settings);
    const { host } = this.deps;
    const now = host.now();
    const source: AlertSource = { id: host.newId(), integrationKey: host.newIntegrationKey(), ...settings, createdAt: now, updatedAt: now };
    await this.deps.sources.create(source);
    return source;
  }

  /** `patch` holds the settings to change; the others keep their current values. */
  async replace(id: string, patch: Record<string, unknown>): Promise<AlertSource> {
    const current = await this.get(id);
    const settings = parseSettings(mergeSettings(current, patch));
    await this.checkPolicyReference(settings);
    const updated: AlertSource = {
      ...settings,
      id: current.id,
      integrationKey: current.integrationKey,
      createdAt: current.createdAt,
      updatedAt: this.deps.host.now(),
    };
    // The write is conditioned only on the source existing: it was deleted since it was read.
    if (!(await conditionalWrite(() => this.deps.sources.replace(updated)))) throw new NotFoundError('Alert source');
    // SPEC 11: an open alert idle for the timeout is resolved, also one opened before the timeout was set.
    const timeoutChanged = updated.autoResolutionTimeout !== current.autoResolutionTimeout;
    if (timeoutChanged && this.deps.autoResolve) await planAutoResolution(this.deps.autoResolve, updated);
    return updated;
  }

  async delete(id: string): Promise<void> {
    if (!(await conditionalWrite(() => this.deps.sources.delete(id)))) throw new NotFoundError('Alert source');
  }

  /** An alert source may only name an escalation policy that exists. */
  private async checkPolicyReference(settings: { escalationPolicy?: { id: string } }): Promise<void> {
    const id = settings.escalationPolicy?.id;
    if (id === undefined || (await this.deps.policies.get(id))) return;
    const message = `names no existing escalation policy: ${id}`;
    throw new ValidationError(`Invalid alert source: escalationPolicy.id ${message}`, [{ path: 'escalationPolicy.id', message }]);
  }
}
