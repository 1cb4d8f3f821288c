// Auto-resolution: the ISO-8601 durations of an alert source's autoResolutionTimeout, and when an idle alert is resolved.

/** SPEC 11: from a minute to 30 days. */
export const AUTO_RESOLUTION_LIMITS = { minMs: 60_000, maxMs: 30 * 24 * 3600_000 } as const;

const UNIT_MS = { W: 7 * 24 * 3600_000, D: 24 * 3600_000, H: 3600_000, M: 60_000, S: 1000 } as const;

/**
 * Milliseconds of an ISO-8601 duration of weeks, days, hours, minutes and seconds (`PT30M`, `P1DT12H`, `P2W`), or
 * undefined when it is not one. Years and months are refused: their length depends on the calendar.
 */
export function durationMs(value: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return undefined;
  const [, w, d, h, m, s] = match.map(Number);
  const parts: Array<[number, number]> = [
    [w, UNIT_MS.W],
    [d, UNIT_MS.D],
    [h, UNIT_MS.H],
    [m, UNIT_MS.M],
    [s, UNIT_MS.S],
  ];
  return parts.reduce((sum, [n, unit]) => sum + (Number.isNaN(n) ? 0 : n * unit), 0);
}

/** Whether a duration is a valid autoResolutionTimeout. */
export const isAutoResolutionTimeout = (value: string): boolean => {
  const ms = durationMs(value);
  return ms !== undefined && ms >= AUTO_RESOLUTION_LIMITS.minMs && ms <= AUTO_RESOLUTION_LIMITS.maxMs;
};

/** When an open alert last changed by an event (its updatedAt) plus the timeout: when it is resolved if nothing else comes. */
export const autoResolveAt = (lastChangeAt: string, timeout: string): string => new Date(Date.parse(lastChangeAt) + (durationMs(timeout) ?? 0)).toISOString();

export const autoResolvedText = (timeout: string): string => `Alert auto-resolved after ${timeout} without events (the alert source's autoResolutionTimeout)`;
