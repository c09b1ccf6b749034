import type { MiddlewareHandler } from 'hono';
import { type FieldError, ValidationFailed } from '../errors.js';

/**
 * A JSON number written as an integer: digits, perhaps with a fraction of only zeros (10.0 is exactly
 * 10, and JSON Schema calls it an integer, so a client generated from the document may write it so).
 * No other fraction, no exponent (1e3 is refused: a client that writes it is not counting minor units).
 */
const INTEGER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.0+)?$/;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Marks, during parsing, a number whose text is not an exact integer. */
class InexactNumber {
  constructor(readonly source: string) {}
}

function problemOf(source: string, field: string): FieldError {
  if (!INTEGER_LITERAL.test(source)) {
    return {
      field,
      message: 'must be a whole number written as digits, without a fraction or exponent',
      code: 'not_an_integer',
    };
  }
  return source.startsWith('-')
    ? { field, message: `must be at least -${Number.MAX_SAFE_INTEGER} (−(2^53 − 1))`, code: 'too_small' }
    : { field, message: `must be at most ${Number.MAX_SAFE_INTEGER} (2^53 − 1)`, code: 'too_big' };
}

function collect(value: unknown, path: string, errors: FieldError[]): void {
  if (value instanceof InexactNumber) {
    errors.push(problemOf(value.source, path));
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collect(item, `${path}.${index}`, errors);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collect(item, `${path}.${key}`, errors);
  }
}

/**
 * The numbers in a JSON text that are not exact integers as written: with a
 * fraction other than zeros, or an exponent (which JSON.parse would quietly
 * turn into an integer: 1e3 → 1000), or beyond ±(2^53 − 1) (which it would round). Uses
 * the source text JSON.parse hands its reviver, so nothing is judged after
 * rounding. Malformed JSON yields nothing here; the body validator reports it.
 */
export function inexactNumbers(text: string, root = 'body'): FieldError[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
      if (typeof value !== 'number') return value;
      const source = context?.source ?? String(value);
      return INTEGER_LITERAL.test(source) && Number.isSafeInteger(value) ? value : new InexactNumber(source);
    });
  } catch {
    return [];
  }
  const errors: FieldError[] = [];
  collect(parsed, root, errors);
  return errors;
}

/**
 * Route middleware for APIs that carry no fractional numbers (money in minor
 * units, counts): a JSON body with any number that is not an exact integer is
 * 400 naming the field, before the body is validated.
 */
export function requireExactIntegers(): MiddlewareHandler {
  return async (c, next) => {
    if (METHODS_WITH_BODY.has(c.req.method) && JSON_MEDIA_TYPE.test(c.req.header('Content-Type') ?? '')) {
      const errors = inexactNumbers(await c.req.text());
      if (errors.length > 0) {
        throw new ValidationFailed(errors, 'Numbers in this API are exact integers; see errors[].');
      }
    }
    await next();
  };
}
