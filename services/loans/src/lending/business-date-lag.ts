import type { Kysely } from 'kysely';
import type { LoansDatabase } from '../db/schema.js';
import { daysBetween } from '../domain/calendar.js';
import { calendarDate, dateText } from './business-date.js';

/**
 * Whole days `businessDate` is behind the calendar date `today`. Development moves the business date
 * forward by hand, past the calendar: that is no lag, so it is 0 there, never negative.
 */
export function daysBehind(businessDate: string, today: string): number {
  return Math.max(0, daysBetween(businessDate, today));
}

/**
 * How far the persisted business date is behind the calendar in `timeZone` at `now`, or undefined before
 * its first use. Read from the database, not from what this replica last did: a replica whose run hangs
 * or died still shows the lag growing, and every replica reports the same.
 */
export async function businessDateLag(
  db: Kysely<LoansDatabase>,
  timeZone: string,
  now: Date,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('business_date')
    .select(dateText('business_date').as('date'))
    .where('id', '=', 1)
    .executeTakeFirst();
  return row && daysBehind(row.date, calendarDate(now, timeZone));
}
