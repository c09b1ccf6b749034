import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_families')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('last_used_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('revoked_at', sql`datetime(3)`)
    .addColumn('revoked_reason', 'varchar(32)')
    .addColumn('user_agent', 'varchar(255)')
    .execute();
  await db.schema
    .createIndex('refresh_families_user_id')
    .on('refresh_families')
    .columns(['user_id', 'id'])
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('family_id', 'char(36)', (col) => col.notNull())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('used_at', sql`datetime(3)`)
    .execute();
  await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute();
}
