import { Conflict, decodeCursor, NotFound, PreconditionFailed } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { ProductFields } from '../routes/schemas.js';
import type { CatalogDatabase, ProductCategory, ProductRow } from './schema.js';

type Db = Kysely<CatalogDatabase>;

function columns(fields: ProductFields) {
  return {
    code: fields.code,
    name: fields.name,
    description: fields.description,
    category: fields.category,
    currency: fields.currency,
    min_principal: fields.minPrincipal,
    max_principal: fields.maxPrincipal,
    annual_rate_bps: fields.annualRateBps,
    min_term_months: fields.minTermMonths,
    max_term_months: fields.maxTermMonths,
    grace_period_months: fields.gracePeriodMonths,
    interest_during_study: fields.interestDuringStudy,
    grace_months_after_study: fields.graceMonthsAfterStudy,
    tranche_expiry_days: fields.trancheExpiryDays,
    guarantors_required: fields.guarantorsRequired,
    active: fields.active ? 1 : 0,
  };
}

async function mapDuplicateCode<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
      throw new Conflict('product_code_taken', 'Another product already uses this code.');
    }
    throw error;
  }
}

export async function insertProduct(
  db: Db,
  id: string,
  fields: ProductFields,
  createdBy: string,
  now: Date,
): Promise<void> {
  await mapDuplicateCode(() =>
    db
      .insertInto('products')
      .values({
        id,
        ...columns(fields),
        created_by: createdBy,
        created_at: now,
        updated_at: now,
        archived_at: null,
        archived_by: null,
        version: 1,
      })
      .execute(),
  );
}

export async function getProduct(db: Db, id: string): Promise<ProductRow> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('product_not_found', 'No product with this id.');
  return row;
}

export interface ProductFilter {
  active?: boolean | undefined;
  category?: ProductCategory | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Archived products never appear here; newest first, one extra row to detect a next page. */
export function listProducts(db: Db, filter: ProductFilter): Promise<ProductRow[]> {
  let query = db
    .selectFrom('products')
    .selectAll()
    .where('archived_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active ? 1 : 0);
  if (filter.category) query = query.where('category', '=', filter.category);
  if (filter.cursor) query = query.where('id', '<', String(decodeCursor(filter.cursor, 1)[0]));
  return query.execute();
}

/** Applies an update only to the version the client read; anything else is 412. */
export async function updateProduct(
  db: Db,
  current: ProductRow,
  expectedVersion: number,
  fields: ProductFields,
  now: Date,
): Promise<void> {
  if (current.archived_at) throw new Conflict('product_archived', 'Archived products cannot be changed.');
  const result = await mapDuplicateCode(() =>
    db
      .updateTable('products')
      .set({ ...columns(fields), updated_at: now, version: expectedVersion + 1 })
      .where('id', '=', current.id)
      .where('version', '=', expectedVersion)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
  );
  if (Number(result.numUpdatedRows) !== 1) throw staleVersion();
}

export async function archiveProduct(
  db: Db,
  current: ProductRow,
  expectedVersion: number,
  by: string,
  now: Date,
): Promise<void> {
  if (current.archived_at) throw new Conflict('product_archived', 'The product is already archived.');
  const result = await db
    .updateTable('products')
    .set({ archived_at: now, archived_by: by, active: 0, updated_at: now, version: expectedVersion + 1 })
    .where('id', '=', current.id)
    .where('version', '=', expectedVersion)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw staleVersion();
}

function staleVersion() {
  return new PreconditionFailed(
    'etag_mismatch',
    'The product changed since you read it; read it again and retry.',
  );
}
