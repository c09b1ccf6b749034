import { Conflict, decodeCursor, NotFound, PreconditionFailed } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { InstitutionFields } from '../routes/institution-schemas.js';
import type { CatalogDatabase, InstitutionRow } from './schema.js';

type Db = Kysely<CatalogDatabase>;

function columns(fields: InstitutionFields) {
  return {
    code: fields.code,
    name: fields.name,
    country: fields.country,
    contact_email: fields.contactEmail,
  };
}

async function mapDuplicateCode<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
      throw new Conflict('institution_code_taken', 'Another institution already uses this code.');
    }
    throw error;
  }
}

export async function insertInstitution(
  db: Db,
  id: string,
  fields: InstitutionFields,
  createdBy: string,
  now: Date,
): Promise<void> {
  await mapDuplicateCode(() =>
    db
      .insertInto('institutions')
      .values({
        id,
        ...columns(fields),
        created_by: createdBy,
        created_at: now,
        updated_by: createdBy,
        updated_at: now,
        archived_at: null,
        archived_by: null,
        version: 1,
      })
      .execute(),
  );
}

export async function getInstitution(db: Db, id: string): Promise<InstitutionRow> {
  const row = await db.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('institution_not_found', 'No institution with this id.');
  return row;
}

/** Archived institutions never appear here; newest first, one extra row to detect a next page. */
export function listInstitutions(db: Db, page: { limit: number; cursor?: string | undefined }) {
  let query = db
    .selectFrom('institutions')
    .selectAll()
    .where('archived_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '<', String(decodeCursor(page.cursor, 1)[0]));
  return query.execute();
}

/** Applies an update only to the version the client read; anything else is 412. */
export async function updateInstitution(
  db: Db,
  current: InstitutionRow,
  expectedVersion: number,
  fields: InstitutionFields,
  by: string,
  now: Date,
): Promise<void> {
  if (current.archived_at) {
    throw new Conflict('institution_archived', 'Archived institutions cannot be changed.');
  }
  const result = await mapDuplicateCode(() =>
    db
      .updateTable('institutions')
      .set({ ...columns(fields), updated_by: by, updated_at: now, version: expectedVersion + 1 })
      .where('id', '=', current.id)
      .where('version', '=', expectedVersion)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
  );
  if (Number(result.numUpdatedRows) !== 1) throw staleVersion();
}

export async function archiveInstitution(
  db: Db,
  current: InstitutionRow,
  expectedVersion: number,
  by: string,
  now: Date,
): Promise<void> {
  if (current.archived_at) {
    throw new Conflict('institution_archived', 'The institution is already archived.');
  }
  const result = await db
    .updateTable('institutions')
    .set({
      archived_at: now,
      archived_by: by,
      updated_by: by,
      updated_at: now,
      version: expectedVersion + 1,
    })
    .where('id', '=', current.id)
    .where('version', '=', expectedVersion)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw staleVersion();
}

function staleVersion() {
  return new PreconditionFailed(
    'etag_mismatch',
    'The institution changed since you read it; read it again and retry.',
  );
}
