import type { EventTables } from '@bonding/kit';
import type { Selectable } from 'kysely';

export const PRODUCT_CATEGORIES = ['tuition', 'upkeep', 'other'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

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
  active: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
  archived_by: string | null;
  version: number;
}

export interface CatalogDatabase extends EventTables {
  products: ProductsTable;
}

export type ProductRow = Selectable<ProductsTable>;
