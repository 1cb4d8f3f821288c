// Whether an instant falls in an alert source's support hours, in the source's IANA time zone (DST-safe through Intl).
import { WEEKDAYS, type SupportHours, type Weekday } from './alert-source';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock weekday and minute of the day of an instant in a time zone. */
export function localTime(at: Date, timeZone: string): { weekday: Weekday; minute: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday.toUpperCase() as Weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * A day's window runs from start to end on that day; when end is earlier than start it crosses midnight and
 * ends on the next day (MONDAY 22:00-06:00 covers Monday night until Tuesday 06:00).
 */
export function inSupportHours(at: Date, hours: SupportHours): boolean {
  const { weekday, minute } = localTime(at, hours.timezone);
  const today = hours.supportDays[weekday];
  if (today) {
    const start = minutes(today.start);
    const end = minutes(today.end);
    if (start < end ? minute >= start && minute < end : minute >= start) return true;
  }
  const yesterday = hours.supportDays[WEEKDAYS[(WEEKDAYS.indexOf(weekday) + 6) % 7]];
  if (yesterday) {
    const start = minutes(yesterday.start);
    const end = minutes(yesterday.end);
    if (end < start && minute < end) return true;
  }
  return false;
}
