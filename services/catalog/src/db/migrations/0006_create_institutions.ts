import { type Kysely, sql } from 'kysely';

/**
 * Institutions a loan's tuition is paid to. Kept like products: archived rather than deleted, because
 * loans go on referring to them by id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('institutions')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('code', 'varchar(32)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(160)', (col) => col.notNull())
    .addColumn('country', 'char(2)', (col) => col.notNull().defaultTo('MW'))
    .addColumn('contact_email', 'varchar(254)')
    .addColumn('created_by', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_by', 'char(36)', (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('archived_at', sql`datetime(3)`)
    .addColumn('archived_by', 'char(36)')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  // The public list: not archived, newest first.
  await db.schema
    .createIndex('institutions_list')
    .on('institutions')
    .columns(['archived_at', 'id'])
    .execute();
}
