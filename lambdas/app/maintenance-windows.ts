// Use cases of maintenance windows: management (CRUD, alert sources checked), and the processor's cached look-up of a source's windows.
import type { AcceptedEvent } from '../domain/event';
import {
  covers,
  maintenanceWindowSettingsSchema,
  mergeWindowSettings,
  type Coverage,
  type MaintenanceWindow,
  type MaintenanceWindowSettings,
} from '../domain/maintenance-window';
import { fieldErrors } from '../domain/validation';
import { InvalidCursorError } from '../store/cursor';
import type { MaintenanceWindowStore } from '../store/maintenance-windows';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { AlertSourcesPort, Host, Page, PageRequest } from './ports';

export interface MaintenanceWindowDeps {
  windows: Pick<MaintenanceWindowStore, 'create' | 'get' | 'list' | 'replace' | 'delete'>;
  sources: Pick<AlertSourcesPort, 'get'>;
  host: Pick<Host, 'now' | 'newId'>;
}

/** How many times a change is decided again on a fresh read before the caller is asked to retry. */
const FRESH_READS = 5;

function parseSettings(input: unknown): MaintenanceWindowSettings {
  const parsed = maintenanceWindowSettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  throw new ValidationError(`Invalid maintenance window: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

export class MaintenanceWindows {
  constructor(private readonly deps: MaintenanceWindowDeps) {}

  async list(page: PageRequest): Promise<Page<MaintenanceWindow>> {
    try {
      return await this.deps.windows.list(page);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new ValidationError(error.message, [{ path: 'nextCursor', message: error.message }], 'INVALID_CURSOR');
      throw error;
    }
  }

  async get(id: string): Promise<MaintenanceWindow> {
    const window = await this.deps.windows.get(id);
    if (!window) throw new NotFoundError('Maintenance window');
    return window;
  }

  async create(input: Record<string, unknown>): Promise<MaintenanceWindow> {
    const settings = parseSettings(input);
    await this.checkSources(settings);
    const now = this.deps.host.now();
    const window: MaintenanceWindow = { id: this.deps.host.newId(), ...settings, createdAt: now, updatedAt: now };
    await this.deps.windows.create(window);
    return window;
  }

  /** `patch` holds the settings to change; the others keep their current values. */
  async replace(id: string, patch: Record<string, unknown>): Promise<MaintenanceWindow> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const current = await this.get(id);
      const settings = parseSettings(mergeWindowSettings(current, patch));
      await this.checkSources(settings);
      const now = this.deps.host.now();
      const updatedAt = now > current.updatedAt ? now : new Date(Date.parse(current.updatedAt) + 1).toISOString();
      const updated: MaintenanceWindow = { ...settings, id, createdAt: current.createdAt, updatedAt };
      if (await conditionalWrite(() => this.deps.windows.replace(updated, current))) return updated;
    }
    throw new ConflictError('CONFLICT', 'The maintenance window changed while it was being updated; retry');
  }

  async delete(id: string): Promise<void> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const current = await this.get(id);
      if (await conditionalWrite(() => this.deps.windows.delete(current))) return;
    }
    throw new ConflictError('CONFLICT', 'The maintenance window changed while it was being deleted; retry');
  }

  /** A window may only name alert sources that exist; each unknown one is named by its position. */
  private async checkSources(settings: MaintenanceWindowSettings): Promise<void> {
    const found = await Promise.all(settings.alertSources.map((s) => this.deps.sources.get(s.id)));
    const errors = settings.alertSources.flatMap((s, i) =>
      found[i] ? [] : [{ path: `alertSources.${i}.id`, message: `names no existing alert source: ${s.id}` }],
    );
    if (errors.length) throw new ValidationError(`Invalid maintenance window: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
}

/** How far back a read of a source's windows reaches at least: events received within it need no read of their own. */
const RECENT_MS = 3600_000;

/**
 * The processor's question "does a window cover this event's source when it was received?", judged by the event's
 * receivedAt and answered from each source's windows that end after min(receivedAt, an hour ago), read once per `ttlMs`
 * (one query per source and TTL, none per event): a window's change takes effect within the TTL, as an alert source's
 * does. An event older than what was read (a backlog, a dead-letter redrive) reads back to its own receivedAt.
 */
export function suppressionCheck(
  windows: Pick<MaintenanceWindowStore, 'coverageOf'>,
  ttlMs: number,
  clock: () => number,
): (event: Pick<AcceptedEvent, 'alertSourceId' | 'receivedAt'>) => Promise<boolean> {
  const entries = new Map<string, { coverage: Coverage[]; from: string; until: number }>();
  return async (event) => {
    const nowMs = clock();
    let hit = entries.get(event.alertSourceId);
    if (!hit || hit.until <= nowMs || event.receivedAt < hit.from) {
      const recent = new Date(nowMs - RECENT_MS).toISOString();
      const from = event.receivedAt < recent ? event.receivedAt : recent;
      hit = { coverage: await windows.coverageOf(event.alertSourceId, from), from, until: nowMs + ttlMs };
      if (entries.size >= 10_000) entries.clear();
      if (ttlMs > 0) entries.set(event.alertSourceId, hit);
    }
    return covers(hit.coverage, event.receivedAt);
  };
}
