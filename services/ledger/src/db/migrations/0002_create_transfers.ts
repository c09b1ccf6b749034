import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('kind', 'varchar(16)', (col) => col.notNull())
    .addColumn('debit_account_id', 'char(36)', (col) => col.notNull().references('accounts.id'))
    .addColumn('credit_account_id', 'char(36)', (col) => col.notNull().references('accounts.id'))
    .addColumn('from_user_id', 'char(36)')
    .addColumn('to_user_id', 'char(36)')
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('reference', 'varchar(140)')
    .addColumn('loan_id', 'char(36)')
    .addColumn('initiator', 'varchar(64)', (col) => col.notNull())
    .addColumn('idempotency_key', sql`varchar(255) character set ascii collate ascii_bin`, (col) =>
      col.notNull(),
    )
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    // Whatever happens to the idempotency records, one key of one initiator moves money once.
    .addUniqueConstraint('transfers_initiator_idempotency_key', ['initiator', 'idempotency_key'])
    .addCheckConstraint('transfers_amount_positive', sql`amount > 0`)
    .execute();
  // Lists: by holder (either side), by account (either side), by kind; newest first.
  for (const [name, column] of [
    ['transfers_from_user', 'from_user_id'],
    ['transfers_to_user', 'to_user_id'],
    ['transfers_debit_account', 'debit_account_id'],
    ['transfers_credit_account', 'credit_account_id'],
    ['transfers_kind', 'kind'],
  ] as const) {
    await db.schema.createIndex(name).on('transfers').columns([column, 'id']).execute();
  }
}
