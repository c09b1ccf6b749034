/**
 * Calendar dates (YYYY-MM-DD, UTC) for due dates: a schedule is about days,
 * never instants, so it does not move with time zones or daylight saving.
 */

const DAY_MS = 86_400_000;

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * The same day of the month `months` later, clamped to the month's last day
 * (31 January + 1 month = 28 or 29 February). Always counted from the start
 * date, so a clamp in one month does not shift the ones after it.
 */
export function addMonths(start: string, months: number): string {
  const [year, month, day] = start.split('-').map(Number) as [number, number, number];
  const total = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(total / 12);
  const targetMonth = total % 12;
  const clampedDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return toIsoDate(new Date(Date.UTC(targetYear, targetMonth, clampedDay)));
}

/** Whole days from `earlier` to `later` (negative when `later` comes first). */
export function daysBetween(earlier: string, later: string): number {
  return Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY_MS);
}

/** The calendar day `days` after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return toIsoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** The calendar day before `date`. */
export const previousDate = (date: string): string => addDays(date, -1);
