import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('repayments')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('transfer_id', 'char(36)', (col) => col.notNull())
    .addColumn('idempotency_key', sql`varchar(255) character set ascii collate ascii_bin`, (col) =>
      col.notNull(),
    )
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addUniqueConstraint('repayments_transfer', ['transfer_id'])
    .addCheckConstraint('repayments_amount_positive', sql`amount > 0`)
    .execute();
  // A loan's repayments, newest first (ids are derived from the request, so they do not sort by time).
  await db.schema
    .createIndex('repayments_loan')
    .on('repayments')
    .columns(['loan_id', 'created_at', 'id'])
    .execute();
}
