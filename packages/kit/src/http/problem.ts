import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../db/availability.js';
import { DomainError, ServiceUnavailable } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string; code?: string }[];
  [extension: string]: unknown;
}

/** A domain error as an RFC 9457 document, for the request at `instance`. */
export function problemDocument(
  error: DomainError,
  instance: string,
  requestId: string | undefined,
): ProblemDocument {
  return {
    ...error.extensions,
    type: `urn:bonding:problem:${error.code}`,
    title: error.title,
    status: error.status,
    code: error.code,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    instance,
    ...(requestId ? { requestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** Serialises a domain error as RFC 9457 problem+json. */
export function problemResponse(c: Context, error: DomainError): Response {
  const body = problemDocument(error, c.req.path, c.get('requestId'));
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header('Content-Type', PROBLEM_CONTENT_TYPE);
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode);
}

/**
 * Turns anything thrown into a DomainError: domain errors as they are, Hono's
 * HTTP exceptions (malformed JSON, body limit) by status, lost databases as 503,
 * and everything else as an opaque 500 (the cause is logged, never returned).
 */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof HTTPException) {
    const message = error.message || 'Request rejected';
    if (error.status === 413)
      return new DomainError(413, 'payload_too_large', 'Content Too Large', { detail: message });
    if (/malformed json/i.test(message))
      return new DomainError(400, 'malformed_json', 'Bad Request', { detail: message });
    return new DomainError(error.status, `http_${error.status}`, message, { detail: message });
  }
  if (isDatabaseUnavailable(error)) {
    return new ServiceUnavailable('database_unavailable', 'The database is unreachable; try again shortly.', {
      headers: { 'Retry-After': '1' },
      cause: error,
    });
  }
  return new DomainError(500, 'internal_error', 'Internal Server Error', {
    detail: 'An unexpected error occurred.',
    cause: error,
  });
}
