import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import { type FieldError, ValidationFailed } from '../errors.js';

/** Hono's validation targets, named as a client thinks of them. */
const TARGET_NAMES: Record<string, string> = { json: 'body', form: 'body', param: 'path', header: 'header' };

/** Maps zod issues to field errors named `<where>.<path>` (e.g. `body.email`, `query.limit`, `path.id`). */
export function fieldErrors(target: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  const where = TARGET_NAMES[target] ?? target;
  for (const issue of issues) {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ field: `${base}.${key}`, message: 'unknown field', code: 'unknown_field' });
    } else {
      errors.push({ field: base, message: issue.message, code: issue.code });
    }
  }
  return errors;
}

/** The one validation hook every route shares: a 400 problem naming each bad field. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is generic over every route's schemas.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) {
    throw new ValidationFailed(fieldErrors(result.target, result.error.issues));
  }
};
