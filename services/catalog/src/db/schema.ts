import type { EventTables, InboxDeadLetterTables } from '@bonding/kit';
import type { Selectable } from 'kysely';

/** `student` loans pay both legs of a tranche: tuition to the institution, upkeep to the student. */
export const PRODUCT_CATEGORIES = ['tuition', 'upkeep', 'student', 'other'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

/** While the student studies and in grace, interest is borne by the board or added to the principal. */
export const INTEREST_DURING_STUDY = ['subsidised', 'capitalised'] as const;
export type InterestDuringStudy = (typeof INTEREST_DURING_STUDY)[number];

export interface ProductsTable {
  id: string;
  code: string;
  name: string;
  description: string;
  category: ProductCategory;
  currency: string;
  /** Minor units; mysql2 returns BIGINT as a string so nothing is ever rounded. */
  min_principal: string | number;
  max_principal: string | number;
  annual_rate_bps: number;
  min_term_months: number;
  max_term_months: number;
  grace_period_months: number;
  /** Study terms: null on a product without them (its loans keep the legacy schedule). */
  interest_during_study: InterestDuringStudy | null;
  grace_months_after_study: number | null;
  /** Days after its planned date an unreleased tranche lapses; null: tranches never lapse. */
  tranche_expiry_days: number | null;
  /** Guarantors whose consent a loan needs before approval (0–2). */
  guarantors_required: number;
  active: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
  archived_by: string | null;
  version: number;
}

export interface InstitutionsTable {
  id: string;
  code: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  contact_email: string | null;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
  archived_at: Date | null;
  archived_by: string | null;
  version: number;
}

export interface CatalogDatabase extends EventTables, InboxDeadLetterTables {
  products: ProductsTable;
  institutions: InstitutionsTable;
}

export type ProductRow = Selectable<ProductsTable>;
export type InstitutionRow = Selectable<InstitutionsTable>;
