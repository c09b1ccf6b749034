import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import type { NotificationsDeps } from './deps.js';
import { notificationHandlers } from './events/handlers.js';
import { notificationRoutes } from './routes/notifications.js';
import { streamRoutes } from './routes/stream.js';

export function createNotificationsApp(deps: NotificationsDeps) {
  const service = createServiceApp({
    name: 'notifications',
    version: '0.1.0',
    description: 'In-app notifications, their real-time stream, and e-mail.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: databaseReadiness(deps.db, migrations),
  });
  service.app.openAPIRegistry.registerComponent('securitySchemes', 'streamTicket', {
    type: 'apiKey',
    in: 'query',
    name: 'ticket',
    description:
      'A one-time ticket from POST /api/v1/notifications/stream-tickets, for EventSource (which cannot send headers).',
  });
  // The streams end as soon as a shutdown begins, so it is not held up by them.
  deps.streams.endWhenDraining(service.health);
  // /notifications/stream… before /notifications/{id}/read, so "stream" is never read as an id.
  service.app.route('/api/v1', streamRoutes(deps)).route('/api/v1', notificationRoutes(deps));
  mountEventRoutes(service.app, deps.events, { handlers: notificationHandlers(deps) });
  return service;
}
