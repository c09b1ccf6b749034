import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loans')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_by', 'char(36)', (col) => col.notNull())
    .addColumn('product_id', 'char(36)', (col) => col.notNull())
    .addColumn('principal', 'bigint', (col) => col.notNull())
    .addColumn('term_months', 'integer', (col) => col.notNull())
    .addColumn('purpose', 'varchar(500)', (col) => col.notNull())
    .addColumn('academic_year', 'varchar(9)', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('annual_rate_bps', 'integer', (col) => col.notNull())
    .addColumn('grace_period_months', 'integer', (col) => col.notNull())
    .addColumn('min_principal', 'bigint', (col) => col.notNull())
    .addColumn('max_principal', 'bigint', (col) => col.notNull())
    .addColumn('min_term_months', 'integer', (col) => col.notNull())
    .addColumn('max_term_months', 'integer', (col) => col.notNull())
    .addColumn('status', 'varchar(24)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('decided_by', 'char(36)')
    .addColumn('failure_reason', 'varchar(64)')
    .addColumn('disbursed_at', sql`datetime(3)`)
    .addColumn('disbursement_transfer_id', 'char(36)')
    .addColumn('idempotency_key', sql`varchar(255) character set ascii collate ascii_bin`, (col) =>
      col.notNull(),
    )
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addUniqueConstraint('loans_creator_idempotency_key', ['created_by', 'idempotency_key'])
    .addCheckConstraint('loans_principal_positive', sql`principal > 0`)
    .execute();
  // Lists, newest first (ids are UUIDv7): all, by student, by status, by both.
  for (const [name, columns] of [
    ['loans_student', ['student_id', 'id']],
    ['loans_status', ['status', 'id']],
    ['loans_student_status', ['student_id', 'status', 'id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('loans')
      .columns([...columns])
      .execute();
  }
}
