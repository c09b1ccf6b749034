import { createRouter } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { IdentityDeps } from '../deps.js';
import { publicJwks } from '../domain/signing-keys.js';

const JwksSchema = z
  .object({
    keys: z.array(z.object({ kid: z.string(), kty: z.string(), alg: z.string(), use: z.string() }).loose()),
  })
  .openapi('JSONWebKeySet');

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['auth'],
  summary: 'Public keys that verify access tokens (by kid)',
  responses: {
    200: { description: 'The JSON Web Key Set.', content: { 'application/json': { schema: JwksSchema } } },
  },
});

export function jwksRoutes(deps: IdentityDeps) {
  const body = publicJwks(deps.keys);
  return createRouter().openapi(jwks, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(body as z.infer<typeof JwksSchema>, 200);
  });
}
