import type { z } from '@hono/zod-openapi';

/**
 * Rules across the fields of a JSON body, declared once: the same call adds the check the validator runs
 * and the JSON Schema words that state it in the document, so the two cannot drift apart.
 */

/** At least one field: a PATCH that changes nothing is refused. */
export function atLeastOneField<Schema extends z.ZodObject>(
  schema: Schema,
  message = 'change at least one field',
) {
  return schema
    .refine((body) => Object.keys(body as object).length > 0, { error: message })
    .openapi({ minProperties: 1 });
}

/** At least one of `fields`; the issue names the first, with `message`. */
export function someOfFields<Schema extends z.ZodObject>(
  schema: Schema,
  fields: readonly [string, string, ...string[]],
  message: string,
) {
  return schema
    .superRefine((body, ctx) => {
      if (fields.every((field) => (body as Record<string, unknown>)[field] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [fields[0]], message });
      }
    })
    .openapi({ anyOf: fields.map((field) => ({ required: [field] })) } as never);
}

/**
 * Exactly one of `fields` (or, with `required: false`, at most one). The issue names the first field, as
 * a client reads it: "give either A or B".
 */
export function oneOfFields<Schema extends z.ZodObject>(
  schema: Schema,
  fields: readonly [string, string, ...string[]],
  { required, message }: { required: boolean; message: string },
) {
  const pairs = fields.flatMap((first, index) => fields.slice(index + 1).map((second) => [first, second]));
  const documented = required
    ? { oneOf: fields.map((field) => ({ required: [field] })) }
    : { not: { anyOf: pairs.map((pair) => ({ required: pair })) } };
  return schema
    .superRefine((body, ctx) => {
      const given = fields.filter((field) => (body as Record<string, unknown>)[field] !== undefined).length;
      if (given > 1 || (required && given === 0)) {
        ctx.addIssue({ code: 'custom', path: [fields[0]], message });
      }
    })
    .openapi(documented as never);
}
