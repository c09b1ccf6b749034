import type { MiddlewareHandler } from 'hono';
import { BadRequest } from '../errors.js';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API speaks JSON only. A write that sends a body of another type gets a
 * 400 that says so, instead of a confusing "field required" for every field.
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
    }
    await next();
  };
}
