import type { z } from '@hono/zod-openapi';

/** An answer carrying one resource and its ETag, the If-Match of the next write. */
export function versionedResponse<Schema extends z.ZodType>(description: string, schema: Schema) {
  return {
    description,
    headers: { ETag: { schema: { type: 'string' as const }, description: 'The version, for If-Match.' } },
    content: { 'application/json': { schema } },
  };
}
