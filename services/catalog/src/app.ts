import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import type { CatalogDeps } from './deps.js';
import { institutionRoutes } from './routes/institutions.js';
import { productRoutes } from './routes/products.js';

export function createCatalogApp(deps: CatalogDeps) {
  const service = createServiceApp({
    name: 'catalog',
    version: '0.1.0',
    description:
      'Loan products (what students can borrow, at what rate, for how long) and the institutions loans pay tuition to.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: databaseReadiness(deps.db, migrations),
  });
  service.app.route('/api/v1', productRoutes(deps));
  service.app.route('/api/v1', institutionRoutes(deps));
  // Catalog consumes only user.disabled (into its token denylist), plus its dead-letter routes.
  mountEventRoutes(service.app, deps.events);
  return service;
}
