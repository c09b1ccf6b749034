import { createServiceCore, type ServiceCoreOptions } from '@bonding/kit';
import type { CatalogConfig } from './config.js';
import type { CatalogDatabase } from './db/schema.js';
import type { CatalogDeps } from './deps.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildCatalogDeps(config: CatalogConfig, options: ServiceCoreOptions = {}) {
  const core = createServiceCore<CatalogDatabase>('catalog', config, options);
  const deps: CatalogDeps = { ...core, config };
  return { deps, core, close: core.close };
}
