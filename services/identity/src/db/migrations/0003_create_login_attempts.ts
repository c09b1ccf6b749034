import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('login_attempts_email_created_at')
    .on('login_attempts')
    .columns(['email', 'created_at'])
    .execute();

  await db.schema
    .createTable('login_locks')
    .addColumn('email', 'varchar(254)', (col) => col.primaryKey())
    .addColumn('locked_until', sql`datetime(3)`, (col) => col.notNull())
    .execute();
}
