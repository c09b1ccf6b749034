import { type Kysely, sql } from 'kysely';

/**
 * An institution's account (the payee of tuition) has no user as holder: its owner key is the
 * institution's id, so the unique (owner_key, type, currency) already allows exactly one per institution
 * and currency. Only the CHECK tying owner_key to owner_id has to learn that. One statement, so there is
 * never a moment without the check; for the other types it is the old one, word for word.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table accounts
      drop constraint accounts_owner_key,
      add constraint accounts_owner_key_by_type check (
        (type = 'institution' and owner_id is null and owner_key <> 'platform')
        or (type <> 'institution' and owner_key = coalesce(owner_id, 'platform'))
      )
  `.execute(db);
}
