import { type Kysely, sql } from 'kysely';

/**
 * Guarantors (docs/lending-model.md, "Guarantors"): a loan copies how many its product requires, and
 * keeps one row per guardian named. The consent code is kept only as its SHA-256 (unique, the public
 * routes find the row by it); the e-mail address only masked, since loans seals no personal fields: the
 * address itself goes once to notifications in loan.guarantorRequested@1.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('loans')
    .addColumn('guarantors_required', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('loan_guarantors')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('guardian_id', 'char(36)', (col) => col.notNull())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('surname', 'varchar(100)', (col) => col.notNull())
    .addColumn('home_village', 'varchar(100)', (col) => col.notNull())
    .addColumn('student_name', 'varchar(201)', (col) => col.notNull())
    .addColumn('email_masked', 'varchar(254)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('code_hash', 'char(64)', (col) => col.notNull().unique())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('requested_by', 'char(36)', (col) => col.notNull())
    .addColumn('decided_at', sql`datetime(3)`)
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('loan_guarantors_loan')
    .on('loan_guarantors')
    .columns(['loan_id', 'status'])
    .execute();
}
