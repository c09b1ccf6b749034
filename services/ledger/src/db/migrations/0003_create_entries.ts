import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('entries')
    .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('transfer_id', 'char(36)', (col) => col.notNull().references('transfers.id'))
    .addColumn('account_id', 'char(36)', (col) => col.notNull().references('accounts.id'))
    .addColumn('direction', 'varchar(6)', (col) => col.notNull())
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('balance_after', 'bigint', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addCheckConstraint('entries_amount_positive', sql`amount > 0`)
    .addCheckConstraint('entries_direction', sql`direction in ('debit', 'credit')`)
    .execute();
  // Statements: one account's entries newest first, within a date range, by keyset — never OFFSET.
  await db.schema
    .createIndex('entries_statement')
    .on('entries')
    .columns(['account_id', 'created_at', 'id'])
    .execute();
}
