import { type Kysely, sql } from 'kysely';

export type IdempotencyState = 'in_flight' | 'completed';

/**
 * One Idempotency-Key of one caller. `in_flight` while its first request runs
 * (held by `claim_token` until `locked_until`), `completed` once the response is
 * recorded — in the same transaction as the request's own writes.
 */
export interface IdempotencyRecordsTable {
  scope: string;
  idempotency_key: string;
  /** SHA-256 of method, path and raw body: the same key with another request is refused. */
  request_hash: string;
  state: IdempotencyState;
  claim_token: string;
  locked_until: Date;
  response_status: number | null;
  /** JSON object of the response headers worth replaying (Content-Type, Location, ETag). */
  response_headers: string | null;
  response_body: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface IdempotencyTables {
  idempotency_records: IdempotencyRecordsTable;
}

/**
 * The kit's idempotency table. A service lists it in its own migrations under
 * its next number:
 *
 *   { name: '0005_create_idempotency_records', up: createIdempotencyTable },
 */
export async function createIdempotencyTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_records')
    .addColumn('scope', 'varchar(64)', (col) => col.notNull())
    // Keys are compared byte for byte: "abc" and "ABC" are different keys.
    .addColumn('idempotency_key', sql`varchar(255) character set ascii collate ascii_bin`, (col) =>
      col.notNull(),
    )
    .addColumn('request_hash', 'char(64)', (col) => col.notNull())
    .addColumn('state', 'varchar(16)', (col) => col.notNull())
    .addColumn('claim_token', 'char(36)', (col) => col.notNull())
    .addColumn('locked_until', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('response_status', 'smallint')
    .addColumn('response_headers', 'text')
    .addColumn('response_body', sql`mediumtext`)
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('completed_at', sql`datetime(3)`)
    .addPrimaryKeyConstraint('idempotency_records_pk', ['scope', 'idempotency_key'])
    .execute();
  // The purge: completed records past retention, abandoned claims past their lease.
  await db.schema
    .createIndex('idempotency_records_created_at')
    .on('idempotency_records')
    .column('created_at')
    .execute();
}
