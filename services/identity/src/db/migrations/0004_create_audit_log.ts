import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('actor_id', 'char(36)')
    .addColumn('action', 'varchar(64)', (col) => col.notNull())
    .addColumn('target_id', 'char(36)')
    .addColumn('details', 'text')
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('audit_log_target_id').on('audit_log').columns(['target_id', 'id']).execute();
}
