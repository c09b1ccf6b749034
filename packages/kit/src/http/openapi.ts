import { z } from '@hono/zod-openapi';

const FieldErrorSchema = z.object({
  field: z.string().openapi({ example: 'body.email' }),
  message: z.string(),
  code: z.string().optional(),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z
      .string()
      .openapi({ description: 'Stable, machine-readable error code.', example: 'validation_failed' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (field-level errors[]).',
  401: 'Missing, invalid or expired access token.',
  403: 'The caller may not do this.',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  412: 'The If-Match version is stale.',
  422: 'Valid fields the request cannot have together, or a rule of the current state (see code).',
  413: 'The body is too large.',
  428: 'If-Match is required.',
  429: 'Too many attempts; see Retry-After.',
  503: 'A dependency is unavailable; retry later.',
};

/** OpenAPI response entries for the problem statuses a route can answer with. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: STATUS_TEXT[status] ?? 'Error.',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

/** Marks, in the generated document, a request body that may be left out; see `documentOptionalBodies`. */
const OPTIONAL_BODY = 'x-bonding-optional-body';

/**
 * A JSON request body. At run time it is always `required`, so that a request without a body is still
 * parsed as `{}` by the schema (defaults applied) and a body of another content type never skips
 * validation. The document says it is optional when every field is: such a route accepts a request
 * without a body, and schemathesis holds a document to what the route accepts.
 */
export function jsonBody<Schema extends z.ZodType>(schema: Schema, description?: string) {
  return {
    required: true,
    ...(schema.safeParse({}).success ? { [OPTIONAL_BODY]: true } : {}),
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  } as const;
}

/** Turns jsonBody's marker into `required: false` in a generated document (in place). */
export function documentOptionalBodies<Document extends object>(document: Document): Document {
  for (const item of Object.values((document as { paths?: Record<string, object> }).paths ?? {})) {
    for (const operation of Object.values(item) as { requestBody?: Record<string, unknown> }[]) {
      const body = operation?.requestBody;
      if (!body || !(OPTIONAL_BODY in body)) continue;
      delete body[OPTIONAL_BODY];
      body.required = false;
    }
  }
  return document;
}
