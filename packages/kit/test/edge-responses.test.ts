import { describe, expect, it } from 'vitest';
import { withEdgeResponses } from '../src/http/edge-responses.js';

const problem = () => ({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });

describe('withEdgeResponses', () => {
  it("lists Kong's own body under the 401 of every operation that needs a bearer token", () => {
    const document = withEdgeResponses({
      paths: {
        '/api/v1/things': {
          get: {
            security: [{ bearerAuth: [] }],
            responses: { 401: { description: 'No.', content: problem() } },
          },
          post: { security: [{ bearerAuth: [] }], responses: {} },
        },
      },
    }) as any;
    const things = document.paths['/api/v1/things'];
    expect(Object.keys(things.get.responses['401'].content)).toEqual([
      'application/problem+json',
      'application/json',
    ]);
    expect(things.post.responses['401'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/EdgeError',
    );
    expect(document.components.schemas.EdgeError.properties.message).toEqual({ type: 'string' });
  });

  it('leaves public operations, and a document without any, as they were', () => {
    const document = withEdgeResponses({
      paths: {
        '/api/v1/auth/login': { post: { responses: { 401: { description: 'No.', content: problem() } } } },
      },
    }) as any;
    expect(Object.keys(document.paths['/api/v1/auth/login'].post.responses['401'].content)).toEqual([
      'application/problem+json',
    ]);
    expect(document.components).toBeUndefined();
  });
});
