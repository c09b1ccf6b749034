import { collectLogLines } from '@bonding/testing';
import { createRoute, z } from '@hono/zod-openapi';
import {
  createRouter,
  createServiceApp,
  createServiceMetrics,
  jsonBody,
  NotFound,
  type ReadinessCheck,
} from '../src/index.js';
import { createLogger } from '../src/logger.js';

/** A small service built with the kit, to test the kit's behaviour through HTTP. */
export function createTestApp(options: { readiness?: ReadinessCheck[]; bodyLimitBytes?: number } = {}) {
  const { destination, lines } = collectLogLines();
  const logger = createLogger({ service: 'kit-test', level: 'debug', destination });
  const metrics = createServiceMetrics('kit-test');
  const service = createServiceApp({
    name: 'kit-test',
    version: '0.0.0',
    description: 'test',
    logger,
    metrics,
    ...options,
  });
  const items = createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/items/{id}',
        request: { params: z.object({ id: z.string().regex(/^\d+$/) }) },
        responses: {
          200: {
            description: 'ok',
            content: { 'application/json': { schema: z.object({ id: z.string() }) } },
          },
        },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        if (id === '404') throw new NotFound('item_not_found', 'No such item.');
        if (id === '500') throw new Error('secret internals: password=hunter2 at db.example:3306');
        return c.json({ id }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/items',
        request: { body: jsonBody(z.strictObject({ name: z.string().min(1) })) },
        responses: { 201: { description: 'created' } },
      }),
      (c) => c.json({ name: c.req.valid('json').name }, 201),
    );
  service.app.route('/api/v1', items);
  return { ...service, lines, logger, metrics };
}
