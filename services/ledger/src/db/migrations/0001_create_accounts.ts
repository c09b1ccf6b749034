import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('owner_id', 'char(36)')
    // MySQL unique keys let NULLs repeat, so uniqueness uses a key that is never NULL: the holder,
    // or 'platform' for system accounts (a CHECK below keeps it in step with owner_id).
    .addColumn('owner_key', 'varchar(36)', (col) => col.notNull())
    .addColumn('type', 'varchar(16)', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('balance', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    // At most one wallet per user per currency, and one funding and one cash account per currency.
    .addUniqueConstraint('accounts_one_per_owner_type_currency', ['owner_key', 'type', 'currency'])
    // The database itself refuses a negative wallet, whatever the code above it does.
    .addCheckConstraint('accounts_wallet_not_negative', sql`type <> 'wallet' or balance >= 0`)
    .addCheckConstraint('accounts_wallet_has_owner', sql`(type = 'wallet') = (owner_id is not null)`)
    .addCheckConstraint('accounts_owner_key', sql`owner_key = coalesce(owner_id, 'platform')`)
    .addCheckConstraint('accounts_balance_exact', sql`balance between -9007199254740991 and 9007199254740991`)
    .execute();
  // A holder's accounts, newest first.
  await db.schema.createIndex('accounts_owner_id').on('accounts').columns(['owner_id', 'id']).execute();
  // Staff lists filtered by type (and currency), newest first.
  await db.schema
    .createIndex('accounts_type_currency')
    .on('accounts')
    .columns(['type', 'currency', 'id'])
    .execute();
}
