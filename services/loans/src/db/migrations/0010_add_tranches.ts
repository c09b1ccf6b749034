import { type Kysely, sql } from 'kysely';

/**
 * Lending part 2 (docs/lending-model.md, "Tranches"): a loan is released term by term. Loans that exist
 * today were approved for their whole principal through loan.approved@1 (`disbursement_method` whole)
 * and keep that path; every new loan has a tranche plan (one tranche when none is given).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('loans')
    .addColumn('disbursement_method', 'varchar(16)', (col) => col.notNull().defaultTo('whole'))
    .addColumn('institution_id', 'char(36)')
    .addColumn('programme', 'varchar(200)')
    .addColumn('tranche_expiry_days', 'integer')
    .execute();

  await db.schema
    .createTable('tranches')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('number', 'integer', (col) => col.notNull())
    .addColumn('term_label', 'varchar(60)', (col) => col.notNull())
    .addColumn('planned_date', 'date', (col) => col.notNull())
    .addColumn('tuition', 'bigint', (col) => col.notNull())
    .addColumn('upkeep', 'bigint', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('certified_by', 'char(36)')
    .addColumn('certified_on', 'date')
    .addColumn('requested_on', 'date')
    .addColumn('released_on', 'date')
    .addColumn('tuition_transfer_id', 'char(36)')
    .addColumn('upkeep_transfer_id', 'char(36)')
    .addColumn('failure_reason', 'varchar(64)')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addUniqueConstraint('tranches_loan_number', ['loan_id', 'number'])
    .execute();
  await sql`ALTER TABLE tranches ADD CONSTRAINT tranches_amounts CHECK (
    tuition >= 0 AND upkeep >= 0 AND tuition + upkeep > 0)`.execute(db);
  // Close of business: certified tranches due for release, and tranches that may lapse, by planned date.
  await db.schema
    .createIndex('tranches_by_status')
    .on('tranches')
    .columns(['status', 'planned_date'])
    .execute();
}
