/**
 * Every public route is called through the edge (Kong, or services/gateway locally), and Kong's jwt
 * plugin refuses a missing or bad token itself, before the service sees the request, with Kong's own
 * body (`{"message":"Unauthorized"}`, `{"exp":"token expired"}`) as `application/json`. So that the
 * documents describe what a client really receives, each operation that needs a bearer token lists
 * that body beside the service's problem+json under its 401.
 */
type Json = Record<string, unknown>;

export const EDGE_ERROR_SCHEMA_NAME = 'EdgeError';

const edgeErrorSchema = {
  type: 'object',
  description:
    "An error the edge (Kong) produced itself, in Kong's shape: usually `message`, sometimes a claim name " +
    '(`exp`, `nbf`) with the reason; `request_id` on some.',
  properties: { message: { type: 'string' }, request_id: { type: 'string' } },
  additionalProperties: { type: 'string' },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const needsBearer = (operation: Json) =>
  Array.isArray(operation.security) &&
  operation.security.some(
    (requirement) => requirement && typeof requirement === 'object' && 'bearerAuth' in requirement,
  );

/** The object under `key`, created empty when missing. */
function child(parent: Json, key: string, created: Json = {}): Json {
  parent[key] ??= created;
  return parent[key] as Json;
}

/** Adds the edge's 401 body to every operation that declares `bearerAuth` (in place; returns the document). */
export function withEdgeResponses<Document extends object>(document: Document): Document {
  const root = document as Json;
  let used = false;
  for (const item of Object.values((root.paths ?? {}) as Record<string, Json>)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation || !needsBearer(operation)) continue;
      const unauthorized = child(child(operation, 'responses'), '401', {
        description: 'Missing, invalid or expired access token.',
      });
      child(unauthorized, 'content')['application/json'] = {
        schema: { $ref: `#/components/schemas/${EDGE_ERROR_SCHEMA_NAME}` },
      };
      used = true;
    }
  }
  if (used) child(child(root, 'components'), 'schemas')[EDGE_ERROR_SCHEMA_NAME] = edgeErrorSchema;
  return document;
}
