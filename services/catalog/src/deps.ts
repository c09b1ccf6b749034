import type { ServiceCore } from '@bonding/kit';
import type { CatalogConfig } from './config.js';
import type { CatalogDatabase } from './db/schema.js';

export interface CatalogDeps extends Omit<ServiceCore<CatalogDatabase>, 'close' | 'databaseName'> {
  config: CatalogConfig;
}
