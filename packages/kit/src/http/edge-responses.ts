/**
 * Every public route is called through the edge (Kong, or services/gateway locally), which answers some
 * requests itself, before the service sees them, with Kong's own body (`{"message":"…"}`) as
 * `application/json`. So that the documents describe what a client really receives, each operation
 * lists those answers beside the service's problem+json:
 * - 401 where a bearer token is needed (the jwt plugin: `{"message":"Unauthorized"}`, `{"exp":"token expired"}`);
 * - 413 where there is a request body (request-size-limiting, 1 MB);
 * - 429 everywhere (rate-limiting, with Retry-After);
 * - 502, 503 and 504 everywhere (the service cannot be reached, or did not answer in time).
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

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer', minimum: 0 } },
};

/** The edge's answers: status, whether the operation can get it, its description and headers. */
const EDGE_ANSWERS: [string, (operation: Json) => boolean, string, Json?][] = [
  ['401', needsBearer, 'Missing, invalid or expired access token.'],
  [
    '413',
    (operation) => operation.requestBody !== undefined,
    'The body is larger than the edge takes (1 MB).',
  ],
  ['429', () => true, 'Too many requests; see Retry-After.', RETRY_AFTER],
  ['502', () => true, 'The edge got no valid answer from the service.'],
  ['503', () => true, 'The service, or one it depends on, is unavailable; retry later.'],
  ['504', () => true, 'The service did not answer in time.'],
];

/** Adds the edge's own answers to every operation (in place; returns the document). */
export function withEdgeResponses<Document extends object>(document: Document): Document {
  const root = document as Json;
  for (const item of Object.values((root.paths ?? {}) as Record<string, Json>)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      for (const [status, applies, description, headers] of EDGE_ANSWERS) {
        if (!applies(operation)) continue;
        const response = child(child(operation, 'responses'), status, { description });
        if (headers) Object.assign(child(response, 'headers'), headers);
        child(response, 'content')['application/json'] = {
          schema: { $ref: `#/components/schemas/${EDGE_ERROR_SCHEMA_NAME}` },
        };
      }
    }
  }
  child(child(root, 'components'), 'schemas')[EDGE_ERROR_SCHEMA_NAME] = edgeErrorSchema;
  return document;
}
