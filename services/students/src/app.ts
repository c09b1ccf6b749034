import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import type { StudentsDeps } from './deps.js';
import { directoryHandlers } from './directory-events.js';
import { bankAccountRoutes } from './routes/bank-accounts.js';
import { guardianRoutes } from './routes/guardians.js';
import { meRoutes } from './routes/me.js';
import { staffRoutes } from './routes/staff.js';

export function createStudentsApp(deps: StudentsDeps) {
  const service = createServiceApp({
    name: 'students',
    version: '0.1.0',
    description: "The student's bonding file: personal details, guardians and bank accounts.",
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: databaseReadiness(deps.db, migrations),
  });
  // /students/me... before /students/{studentId}, so "me" is never read as an id.
  service.app
    .route('/api/v1', meRoutes(deps))
    .route('/api/v1', guardianRoutes(deps))
    .route('/api/v1', bankAccountRoutes(deps))
    .route('/api/v1', staffRoutes(deps));
  mountEventRoutes(service.app, deps.events, { handlers: directoryHandlers });
  return service;
}
