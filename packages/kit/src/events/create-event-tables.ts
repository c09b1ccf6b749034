import { type Kysely, sql } from 'kysely';

/**
 * The kit's event tables (outbox, inbox, revoked users). A service lists it in its own migrations under
 * its next number:
 *
 *   { name: '0005_create_event_tables', up: createEventTables },
 */
export async function createEventTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('seq', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('id', 'char(36)', (col) => col.notNull().unique())
    .addColumn('type', 'varchar(64)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('aggregate_key', 'varchar(128)', (col) => col.notNull())
    .addColumn('payload', sql`mediumtext`, (col) => col.notNull())
    .addColumn('occurred_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('traceparent', 'varchar(55)')
    .addColumn('tracestate', 'varchar(512)')
    .addColumn('fanned_out_at', sql`datetime(3)`)
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  // The publisher reads unpublished events in commit order; the purge finds old ones.
  await db.schema
    .createIndex('outbox_fanned_out_at_seq')
    .on('outbox')
    .columns(['fanned_out_at', 'seq'])
    .execute();
  await db.schema.createIndex('outbox_created_at').on('outbox').column('created_at').execute();

  await db.schema
    .createTable('inbox')
    .addColumn('event_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('type', 'varchar(64)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('source', 'varchar(64)', (col) => col.notNull())
    .addColumn('occurred_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('processed_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('inbox_processed_at').on('inbox').column('processed_at').execute();

  await db.schema
    .createTable('revoked_users')
    .addColumn('user_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('revoked_before', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('revoked_users_expires_at').on('revoked_users').column('expires_at').execute();
}

/**
 * Drops the per-subscriber delivery rows of the former HTTP push, which createEventTables created in
 * databases set up before events moved to JetStream (a new database never has them). A service lists it
 * after its event tables:
 *
 *   { name: '0009_drop_outbox_deliveries', up: dropOutboxDeliveries },
 */
export async function dropOutboxDeliveries(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox_deliveries').ifExists().execute();
}
