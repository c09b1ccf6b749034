import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_directory')
    .addColumn('user_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('last_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('role', 'varchar(16)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  // The admins to tell about pending agents and failed disbursements.
  await db.schema
    .createIndex('user_directory_role_status')
    .on('user_directory')
    .columns(['role', 'status'])
    .execute();

  await db.schema
    .createTable('loan_parties')
    .addColumn('loan_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('raised_by', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('notification_counters')
    .addColumn('user_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('last_seq', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('kind', 'varchar(40)', (col) => col.notNull())
    .addColumn('title', 'varchar(200)', (col) => col.notNull())
    .addColumn('body', 'varchar(1000)', (col) => col.notNull())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('event_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('read_at', sql`datetime(3)`)
    .execute();
  // The list (newest first) and the stream (after a sequence number), per user.
  await db.schema
    .createIndex('notifications_user_seq')
    .unique()
    .on('notifications')
    .columns(['user_id', 'seq'])
    .execute();
  // ?unread=true and read-all: a user's unread ones, in order.
  await db.schema
    .createIndex('notifications_user_unread')
    .on('notifications')
    .columns(['user_id', 'read_at', 'seq'])
    .execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('template', 'varchar(40)', (col) => col.notNull())
    .addColumn('params', 'text', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('last_error', 'varchar(200)')
    .addColumn('event_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('sent_at', sql`datetime(3)`)
    .execute();
  // Claims: pending mails that are due, oldest first.
  await db.schema
    .createIndex('mail_outbox_due')
    .on('mail_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  // The purge of sent mails, and the dead letters.
  await db.schema
    .createIndex('mail_outbox_status_updated')
    .on('mail_outbox')
    .columns(['status', 'updated_at'])
    .execute();

  await db.schema
    .createTable('stream_tickets')
    .addColumn('ticket_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('role', 'varchar(16)', (col) => col.notNull())
    .addColumn('session_id', 'varchar(64)')
    .addColumn('token_issued_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('token_expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('used_at', sql`datetime(3)`)
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('stream_tickets_expires_at')
    .on('stream_tickets')
    .column('expires_at')
    .execute();
}
