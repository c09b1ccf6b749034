import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { DomainError, NotFound } from './errors.js';
import { withEdgeResponses } from './http/edge-responses.js';
import { type HealthState, mountHealth, type ReadinessCheck } from './http/health.js';
import { requireJsonBodies } from './http/json-content-type.js';
import { documentOptionalBodies } from './http/openapi.js';
import { problemResponse, toDomainError } from './http/problem.js';
import { accessLog, requestId } from './http/request-context.js';
import { createRouter } from './http/router.js';
import type { ServiceMetrics } from './metrics.js';

export interface ServiceAppOptions {
  name: string;
  version: string;
  description: string;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness?: ReadinessCheck[];
  bodyLimitBytes?: number;
  /** Serve this app's own OpenAPI document at /openapi.json (default true). */
  serveOpenApi?: boolean;
}

export interface ServiceApp {
  app: OpenAPIHono;
  health: HealthState;
}

/**
 * The common shell of every service: request ids, access logs and RED metrics,
 * secure headers, a body limit, problem+json for every error, health probes,
 * `/metrics` and `/openapi.json`. The service adds its routes to `app`.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const { logger, metrics } = options;
  const health: HealthState = { draining: false };
  const app = createRouter();

  app.use(requestId());
  app.use(accessLog(logger, metrics));
  app.use(secureHeaders());
  app.use(
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? 1024 * 1024,
      onError: () => {
        throw new DomainError(413, 'payload_too_large', 'Content Too Large', {
          detail: `Request bodies are limited to ${options.bodyLimitBytes ?? 1024 * 1024} bytes.`,
        });
      },
    }),
  );
  app.use('/api/*', requireJsonBodies());

  app.onError((error, c) => {
    const problem = toDomainError(error);
    if (problem.status >= 500) {
      logger.error(
        { err: problem.cause ?? error, requestId: c.get('requestId'), code: problem.code },
        'request failed',
      );
    }
    return problemResponse(c, problem);
  });
  app.notFound((c) =>
    problemResponse(c, new NotFound('route_not_found', `No route for ${c.req.method} ${c.req.path}.`)),
  );

  mountHealth(app, options.readiness ?? [], health);
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /api/v1/auth/login.',
  });
  if (options.serveOpenApi === false) return { app, health };
  const documentInfo = {
    openapi: '3.1.0',
    info: {
      title: `Bonding Platform — ${options.name}`,
      version: options.version,
      description: options.description,
    },
  };
  app.get('/openapi.json', (c) =>
    c.json(withEdgeResponses(documentOptionalBodies(app.getOpenAPI31Document(documentInfo)))),
  );

  return { app, health };
}
