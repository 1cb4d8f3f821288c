// In-memory heartbeat monitors and maintenance windows for the API handler's unit tests: the use cases on Maps.
import { HeartbeatMonitors, type HeartbeatDeps } from '../../../lambdas/app/heartbeats';
import { MaintenanceWindows, type MaintenanceWindowDeps } from '../../../lambdas/app/maintenance-windows';
import type { AlertSourcesPort, Host } from '../../../lambdas/app/ports';
import type { HeartbeatMonitor } from '../../../lambdas/domain/heartbeat';
import type { MaintenanceWindow } from '../../../lambdas/domain/maintenance-window';
import { NotFound } from '../../../lambdas/store/errors';

const page = <T>(items: Map<string, T>) => ({ items: [...items.values()].reverse() });

type MonitorsPort = HeartbeatDeps['monitors'];
type WindowsPort = MaintenanceWindowDeps['windows'];

class MemoryMonitors implements MonitorsPort {
  readonly items = new Map<string, HeartbeatMonitor>();
  async create(monitor: HeartbeatMonitor) {
    this.items.set(monitor.id, monitor);
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async getByKey(key: string) {
    return [...this.items.values()].find((m) => m.key === key);
  }
  async list() {
    return page(this.items);
  }
  async replace(previous: HeartbeatMonitor, settings: Partial<HeartbeatMonitor>, updatedAt: string) {
    if (!this.items.has(previous.id)) return false;
    this.items.set(previous.id, { ...previous, ...settings, updatedAt });
    return true;
  }
  async delete(id: string) {
    if (!this.items.delete(id)) throw new NotFound(id);
  }
  async recordPing(id: string, at: string) {
    const m = this.items.get(id);
    if (!m || m.status === 'OVERDUE') return false;
    this.items.set(id, { ...m, status: 'UP', lastPingAt: at });
    return true;
  }
  async recover(id: string, at: string) {
    const m = this.items.get(id);
    if (m?.status !== 'OVERDUE') return false;
    this.items.set(id, { ...m, status: 'UP', lastPingAt: at });
    return true;
  }
}

class MemoryWindows implements WindowsPort {
  readonly items = new Map<string, MaintenanceWindow>();
  async create(w: MaintenanceWindow) {
    this.items.set(w.id, w);
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async list() {
    return page(this.items);
  }
  async replace(w: MaintenanceWindow) {
    if (!this.items.has(w.id)) throw new NotFound(w.id);
    this.items.set(w.id, w);
  }
  async delete(w: MaintenanceWindow) {
    if (!this.items.delete(w.id)) throw new NotFound(w.id);
  }
}

/** The api's heartbeat monitors and maintenance windows, on Maps, judging alert sources by `sources`. */
export function memoryTimed(sources: AlertSourcesPort, host: Host) {
  return {
    heartbeats: new HeartbeatMonitors({ monitors: new MemoryMonitors(), sources, host }),
    windows: new MaintenanceWindows({ windows: new MemoryWindows(), sources, host }),
  };
}
