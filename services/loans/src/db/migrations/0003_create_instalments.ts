import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('instalments')
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('number', 'integer', (col) => col.notNull())
    .addColumn('due_date', 'date', (col) => col.notNull())
    .addColumn('principal_due', 'bigint', (col) => col.notNull())
    .addColumn('interest_due', 'bigint', (col) => col.notNull())
    .addColumn('principal_paid', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('interest_paid', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('overdue_at', sql`datetime(3)`)
    .addPrimaryKeyConstraint('instalments_pk', ['loan_id', 'number'])
    .execute();
  // The arrears job: instalments not yet reported overdue, by due date.
  await db.schema
    .createIndex('instalments_overdue_scan')
    .on('instalments')
    .columns(['overdue_at', 'due_date'])
    .execute();
}
