import { type Kysely, sql } from 'kysely';

/**
 * The lending model's state (docs/lending-model.md): the loan's study terms, phase and accrual; the
 * business date; close-of-business runs and the (loan, date) pairs they processed. Loans that exist
 * today keep their schedules (`interest_method` legacy) and, once disbursed, are repaying.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('loans')
    .addColumn('interest_method', 'varchar(16)', (col) => col.notNull().defaultTo('legacy'))
    .addColumn('phase', 'varchar(16)')
    .addColumn('study_end_date', 'date')
    .addColumn('interest_during_study', 'varchar(16)')
    .addColumn('grace_months_after_study', 'integer')
    .addColumn('disbursed_on', 'date')
    .addColumn('principal_outstanding', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('accrued_interest', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('subsidy', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('interest_carry', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('accrued_through', 'date')
    .execute();
  await sql`UPDATE loans SET phase = 'REPAYMENT' WHERE status = 'DISBURSED'`.execute(db);
  // Close of business scans the active daily-interest loans.
  await db.schema
    .createIndex('loans_lending_scan')
    .on('loans')
    .columns(['interest_method', 'status', 'id'])
    .execute();

  await db.schema
    .createTable('lending_history')
    .addColumn('id', 'bigint', (col) => col.primaryKey().autoIncrement())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('kind', 'varchar(32)', (col) => col.notNull())
    .addColumn('from_phase', 'varchar(16)')
    .addColumn('to_phase', 'varchar(16)')
    .addColumn('amount', 'bigint')
    .addColumn('business_date', 'date', (col) => col.notNull())
    .addColumn('actor_id', 'char(36)')
    .addColumn('reason', 'varchar(500)')
    .addColumn('occurred_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('lending_history_loan')
    .on('lending_history')
    .columns(['loan_id', 'id'])
    .execute();

  // One row: the lending domain's business date.
  await db.schema
    .createTable('business_date')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('business_date', 'date', (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('cob_runs')
    .addColumn('business_date', 'date', (col) => col.primaryKey())
    .addColumn('started_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('finished_at', sql`datetime(3)`)
    .addColumn('loans_processed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('duration_ms', 'integer')
    .execute();

  // Exactly once per (loan, date): the row is written in the transaction that closes the loan's day.
  await db.schema
    .createTable('cob_loan_days')
    .addColumn('loan_id', 'char(36)', (col) => col.notNull())
    .addColumn('business_date', 'date', (col) => col.notNull())
    .addColumn('processed_at', sql`datetime(3)`, (col) => col.notNull())
    .addPrimaryKeyConstraint('cob_loan_days_pk', ['loan_id', 'business_date'])
    .execute();
}
