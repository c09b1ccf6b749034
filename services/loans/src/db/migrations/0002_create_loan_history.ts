import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loan_history')
    .addColumn('id', 'bigint', (col) => col.primaryKey().autoIncrement())
    .addColumn('loan_id', 'char(36)', (col) => col.notNull().references('loans.id'))
    .addColumn('from_status', 'varchar(24)')
    .addColumn('to_status', 'varchar(24)', (col) => col.notNull())
    .addColumn('actor_id', 'char(36)')
    .addColumn('reason', 'varchar(500)')
    .addColumn('occurred_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('loan_history_loan').on('loan_history').columns(['loan_id', 'id']).execute();
}
