import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('email', 'varchar(254)', (col) => col.notNull().unique())
    .addColumn('password_hash', 'varchar(255)', (col) => col.notNull())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('last_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('role', 'varchar(16)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('reg_number', 'varchar(64)', (col) => col.unique())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('status_changed_at', sql`datetime(3)`)
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  // Admin lists filter by role and/or status and page newest first by id.
  await db.schema.createIndex('users_role_status_id').on('users').columns(['role', 'status', 'id']).execute();
  await db.schema.createIndex('users_status_id').on('users').columns(['status', 'id']).execute();
}
