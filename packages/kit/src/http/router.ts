import { OpenAPIHono } from '@hono/zod-openapi';
import { validationHook } from './validation.js';

/** A route group that validates with the platform's one hook; mount it with `app.route(...)`. */
export function createRouter(): OpenAPIHono {
  return new OpenAPIHono({ defaultHook: validationHook });
}
