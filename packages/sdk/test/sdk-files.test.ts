import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { withOptionalIdempotencyKeys } from '../generate/sdk-files.js';

/** The document the SDK's types are generated from: Idempotency-Key optional (the client adds one), If-Match not. */
describe('the SDK types of required headers', () => {
  const header = (name: string) => ({ name, in: 'header', required: true, schema: { type: 'string' } });
  const document = {
    openapi: '3.1.0',
    info: { title: 'headers', version: '1' },
    paths: {
      '/loans': {
        post: {
          parameters: [header('Idempotency-Key')],
          responses: { '201': { description: 'created' } },
        },
      },
      '/products/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        delete: {
          parameters: [header('If-Match')],
          responses: { '204': { description: 'deleted' } },
        },
      },
    },
  };

  it('makes idempotency-key optional and keeps if-match required, leaving the document as it was', async () => {
    const relaxed = withOptionalIdempotencyKeys(document as never);
    expect(document.paths['/loans'].post.parameters[0]?.required).toBe(true);
    const types = astToString(await openapiTS(relaxed as never));
    expect(types).toContain('"Idempotency-Key"?: string');
    expect(types).toContain('"If-Match": string');
  });
});
