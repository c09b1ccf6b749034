import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createRouter, jsonBody } from '../src/index.js';
import { createTestApp } from './test-app.js';

/** The test app with one more route whose body has only optional fields (one with a default). */
function appWithOptionalBody() {
  const { app } = createTestApp();
  const options = z.strictObject({ brand: z.enum(['visa', 'mastercard']).default('visa') });
  app.route(
    '/api/v1',
    createRouter().openapi(
      createRoute({
        method: 'post',
        path: '/cards',
        request: { body: jsonBody(options) },
        responses: { 201: { description: 'issued' } },
      }),
      (c) => c.json(c.req.valid('json'), 201),
    ),
  );
  return app;
}

describe('jsonBody', () => {
  it('documents a body with a required field as required, and one of optional fields as optional', async () => {
    const doc = (await (await appWithOptionalBody().request('/openapi.json')).json()) as any;
    expect(doc.paths['/api/v1/items'].post.requestBody.required).toBe(true);
    expect(doc.paths['/api/v1/cards'].post.requestBody.required).toBe(false);
    expect(JSON.stringify(doc)).not.toContain('x-bonding-optional-body');
  });

  it('still parses a request without a body through the schema, defaults and all', async () => {
    const response = await appWithOptionalBody().request('/api/v1/cards', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ brand: 'visa' });
  });
});
