import { z } from '@hono/zod-openapi';

/** Writes to a versioned resource name the version they read, so that a concurrent change is not lost. */
export const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({ description: 'The ETag of the version you read (required).' }),
});

/** An answer carrying one resource and its ETag, the If-Match of the next write. */
export function versionedResponse<Schema extends z.ZodType>(description: string, schema: Schema) {
  return {
    description,
    headers: { ETag: { schema: { type: 'string' as const }, description: 'The version, for If-Match.' } },
    content: { 'application/json': { schema } },
  };
}
