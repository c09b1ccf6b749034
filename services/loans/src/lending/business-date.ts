import { Conflict } from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import { dateText } from '../db/loans.js';
import type { LoansDatabase } from '../db/schema.js';
import { addDays } from '../domain/calendar.js';

export { dateText };

type Db = Kysely<LoansDatabase> | Transaction<LoansDatabase>;

/** The calendar date of `at` in `timeZone` (e.g. Africa/Blantyre), YYYY-MM-DD. */
export function calendarDate(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The day after `date`. */
export const nextDate = (date: string): string => addDays(date, 1);

/** The persisted business date; on first use, the calendar date `initial` becomes it. */
export async function currentBusinessDate(db: Db, initial: string, now: Date): Promise<string> {
  const read = () =>
    db
      .selectFrom('business_date')
      .select(dateText('business_date').as('date'))
      .where('id', '=', 1)
      .executeTakeFirst();
  const found = await read();
  if (found) return found.date;
  // Two replicas starting together both insert; the row is one either way.
  await db
    .insertInto('business_date')
    .values({ id: 1, business_date: initial, updated_at: now })
    .onDuplicateKeyUpdate({ id: 1 })
    .execute();
  return ((await read()) as { date: string }).date;
}

/**
 * Moves the business date to `to`, closing every date it passes first (`close` runs close of business for
 * one date and must be idempotent: a crash between two dates resumes from the persisted date). Never
 * backwards; the same date is a no-op.
 */
export async function advanceBusinessDate(
  db: Db,
  to: string,
  now: () => Date,
  close: (date: string) => Promise<void>,
): Promise<string> {
  let date = await currentBusinessDate(db, to, now());
  if (to < date) {
    throw new Conflict('business_date_backwards', `The business date is ${date}; it never moves backwards.`);
  }
  while (date < to) {
    await close(date);
    const next = nextDate(date);
    // Conditional: a replica advancing at the same time moves it once.
    await db
      .updateTable('business_date')
      .set({ business_date: next, updated_at: now() })
      .where('id', '=', 1)
      .where(dateText('business_date'), '=', date)
      .execute();
    date = await currentBusinessDate(db, next, now());
  }
  return date;
}
