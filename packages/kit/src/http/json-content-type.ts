import type { MiddlewareHandler } from 'hono';
import { BadRequest, ValidationFailed } from '../errors.js';
import { decodeUtf8, jsonStructureProblems } from './json-body-checks.js';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** JSON is UTF-8 (RFC 8259 §8.1), with one value per key and a sane depth: see json-body-checks.ts. */
async function checkJsonText(bytes: ArrayBuffer): Promise<void> {
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    throw new BadRequest('invalid_utf8', 'Request bodies must be UTF-8 encoded JSON.', {
      errors: [{ field: 'body', message: 'is not valid UTF-8', code: 'invalid_utf8' }],
    });
  }
  const problems = jsonStructureProblems(text);
  if (problems.length > 0) throw new ValidationFailed(problems);
}

/**
 * The API speaks JSON only. A write that sends a body of another type gets a
 * 400 that says so, instead of a confusing "field required" for every field.
 * A JSON body must also be valid UTF-8, repeat no key and nest no deeper than MAX_JSON_DEPTH.
 */
export function requireJsonBodies(): MiddlewareHandler {
  return async (c, next) => {
    if (METHODS_WITH_BODY.has(c.req.method)) {
      // Over HTTP a body announces itself by length or chunked encoding; a bare POST has neither.
      const length = c.req.header('Content-Length');
      const hasBody = length === undefined ? c.req.header('Transfer-Encoding') !== undefined : length !== '0';
      const contentType = c.req.header('Content-Type') ?? '';
      if (hasBody && !JSON_MEDIA_TYPE.test(contentType)) {
        throw new BadRequest(
          'unsupported_content_type',
          `Request bodies must be application/json, not ${contentType || 'unspecified'}.`,
          {
            errors: [
              { field: 'header.content-type', message: 'must be application/json', code: 'invalid_type' },
            ],
          },
        );
      }
      if (hasBody) await checkJsonText(await c.req.arrayBuffer());
    }
    await next();
  };
}
