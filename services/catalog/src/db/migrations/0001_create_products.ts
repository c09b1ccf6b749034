import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('code', 'varchar(32)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(120)', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('category', 'varchar(16)', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('min_principal', 'bigint', (col) => col.notNull())
    .addColumn('max_principal', 'bigint', (col) => col.notNull())
    .addColumn('annual_rate_bps', 'integer', (col) => col.notNull())
    .addColumn('min_term_months', 'integer', (col) => col.notNull())
    .addColumn('max_term_months', 'integer', (col) => col.notNull())
    .addColumn('grace_period_months', 'integer', (col) => col.notNull())
    .addColumn('active', 'boolean', (col) => col.notNull())
    .addColumn('created_by', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('archived_at', sql`datetime(3)`)
    .addColumn('archived_by', 'char(36)')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  // The public list: not archived, optionally by active and category, newest first.
  await db.schema
    .createIndex('products_list')
    .on('products')
    .columns(['archived_at', 'active', 'category', 'id'])
    .execute();
  await db.schema
    .createIndex('products_by_category')
    .on('products')
    .columns(['archived_at', 'category', 'id'])
    .execute();
}
