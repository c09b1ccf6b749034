import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Only what may be kept of a card: brand, last four digits, expiry. Never a number or a CVV.
  await db.schema
    .createTable('cards')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('account_id', 'char(36)', (col) => col.notNull().references('accounts.id'))
    .addColumn('owner_id', 'char(36)', (col) => col.notNull())
    .addColumn('brand', 'varchar(16)', (col) => col.notNull())
    .addColumn('last_four', 'char(4)', (col) => col.notNull())
    .addColumn('expiry_month', 'smallint', (col) => col.notNull())
    .addColumn('expiry_year', 'smallint', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('cards_account').on('cards').columns(['account_id', 'id']).execute();
}
