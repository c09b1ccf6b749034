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

  it("leaves a public operation's own 401 alone, and gives it the edge's 429 and 5xx", () => {
    const document = withEdgeResponses({
      paths: {
        '/api/v1/auth/login': {
          post: {
            requestBody: { content: {} },
            responses: { 401: { description: 'No.', content: problem() } },
          },
        },
      },
    }) as any;
    const responses = document.paths['/api/v1/auth/login'].post.responses;
    expect(Object.keys(responses['401'].content)).toEqual(['application/problem+json']);
    expect(Object.keys(responses).sort()).toEqual(['401', '413', '429', '502', '503', '504']);
    expect(responses['429'].headers['Retry-After'].schema.type).toBe('integer');
  });

  it('documents 413 only where there is a body to be too large', () => {
    const document = withEdgeResponses({
      paths: { '/api/v1/things': { get: { responses: {} } } },
    }) as any;
    expect(document.paths['/api/v1/things'].get.responses['413']).toBeUndefined();
  });
});
