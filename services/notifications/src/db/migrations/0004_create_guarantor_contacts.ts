import { type Kysely, sql } from 'kysely';

/**
 * Guarantors are no users, so no directory knows them: notifications keeps the address each
 * loan.guarantorRequested@1 gave it, for as long as it may have to write (the first release, the
 * repayment), like the user directory keeps users' addresses. Declined and voided ones are deleted at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('guarantor_contacts')
    .addColumn('guarantor_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('surname', 'varchar(100)', (col) => col.notNull())
    .addColumn('consented', 'boolean', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('guarantor_contacts_loan').on('guarantor_contacts').column('loan_id').execute();
}
