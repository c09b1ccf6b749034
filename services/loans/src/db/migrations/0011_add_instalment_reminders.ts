import { type Kysely, sql } from 'kysely';

/**
 * The reminder before a due date (loan.instalmentDueSoon@1) goes out once per instalment, whichever
 * replica's close of business gets there first: `reminded_at` is claimed with a conditional update in
 * the transaction that emits it, as `overdue_at` is for loan.overdue.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('instalments').addColumn('reminded_at', sql`datetime(3)`).execute();
  // Close of business looks for instalments not yet reminded, by due date.
  await db.schema
    .createIndex('instalments_reminder_scan')
    .on('instalments')
    .columns(['reminded_at', 'due_date'])
    .execute();
}
