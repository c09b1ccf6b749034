import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { dependencyUnavailable, getForUser, jsonOf } from './dependency.js';

/** The parts of a catalog product a loan copies or checks; other fields are ignored. */
const ProductSchema = z.object({
  id: z.uuid(),
  /** Which tranche legs it may pay (domain/lending/tranche-plan.ts). */
  category: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  minPrincipal: z.number().int().min(1),
  maxPrincipal: z.number().int().min(1),
  annualRateBps: z.number().int().min(0).max(10_000),
  minTermMonths: z.number().int().min(1),
  maxTermMonths: z.number().int().min(1),
  gracePeriodMonths: z.number().int().min(0),
  // Study terms (null: none); a catalog from before them omits both.
  interestDuringStudy: z.enum(['subsidised', 'capitalised']).nullable().default(null),
  graceMonthsAfterStudy: z.number().int().min(0).nullable().default(null),
  // Lending part 2; a catalog from before them omits both (no lapsing, no guarantors).
  trancheExpiryDays: z.number().int().min(1).nullable().default(null),
  guarantorsRequired: z.number().int().min(0).max(2).default(0),
  active: z.boolean(),
  archived: z.boolean(),
});
export type Product = z.infer<typeof ProductSchema>;

/** A catalog record read with the caller's token and checked against `schema`; null on 404. */
export async function fetchFromCatalog<T extends z.ZodType>(
  deps: Pick<LoansDeps, 'config'>,
  path: string,
  schema: T,
  token: string,
): Promise<z.infer<T> | null> {
  const { config } = deps;
  const response = await getForUser({
    service: 'catalog',
    url: new URL(path, config.CATALOG_URL).href,
    token,
    timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    retries: config.DEPENDENCY_RETRIES,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw dependencyUnavailable('catalog', new Error(`catalog answered ${response.status}`));
  }
  const parsed = schema.safeParse(await jsonOf('catalog', response));
  if (!parsed.success) throw dependencyUnavailable('catalog', parsed.error);
  return parsed.data;
}

/** The product, or null when catalog has no such product. */
export const fetchProduct = (deps: Pick<LoansDeps, 'config'>, productId: string, token: string) =>
  fetchFromCatalog(deps, `/api/v1/products/${encodeURIComponent(productId)}`, ProductSchema, token);
