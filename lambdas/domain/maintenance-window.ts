// Maintenance windows: their schema, and whether one covers an alert source at a moment (its ALERT events are then SUPPRESSED).
import * as z from 'zod';

export interface MaintenanceWindow {
  id: string;
  summary: string;
  start: string;
  end: string;
  alertSources: Array<{ id: string }>;
  createdAt: string;
  updatedAt: string;
}

/** A window as the processor sees it for one alert source: when it starts and ends. */
export interface Coverage {
  windowId: string;
  start: string;
  end: string;
}

/** One window's alert sources are written in one transaction with it (one item each). */
export const MAX_WINDOW_SOURCES = 50;

// A date-time with a zone (Z or an offset), normalized to UTC so that stored times compare as strings.
const dateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-12-24T18:00:00Z' })
  .transform((value) => new Date(value).toISOString());

export const maintenanceWindowSettingsSchema = z
  .object({
    summary: z.string().trim().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
    start: dateTime,
    end: dateTime,
    alertSources: z
      .array(z.object({ id: z.string().min(1, 'must not be empty') }))
      .min(1, 'must name at least one alert source')
      .max(MAX_WINDOW_SOURCES, `must name at most ${MAX_WINDOW_SOURCES} alert sources`)
      .transform((sources) => [...new Set(sources.map((s) => s.id))].map((id) => ({ id }))),
  })
  .superRefine((w, ctx) => {
    if (w.end <= w.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  });
export type MaintenanceWindowSettings = z.output<typeof maintenanceWindowSettingsSchema>;

/** PUT merges the given fields over the stored window, then validates the whole as on create. */
export function mergeWindowSettings(current: MaintenanceWindow, patch: Record<string, unknown>): Record<string, unknown> {
  return { summary: current.summary, start: current.start, end: current.end, alertSources: current.alertSources, ...patch };
}

/** Whether a window covers the moment `at` (ISO, UTC): from its start, inclusive, to its end, exclusive. */
export const covers = (windows: readonly Pick<Coverage, 'start' | 'end'>[], at: string): boolean => {
  const t = Date.parse(at);
  return windows.some((w) => Date.parse(w.start) <= t && t < Date.parse(w.end));
};

/** Each source's coverage of a window: what the processor reads for that source. */
export const coveragesOf = (w: Pick<MaintenanceWindow, 'id' | 'start' | 'end' | 'alertSources'>): Array<Coverage & { alertSourceId: string }> =>
  w.alertSources.map((s) => ({ alertSourceId: s.id, windowId: w.id, start: w.start, end: w.end }));
