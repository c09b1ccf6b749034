import { z } from '@hono/zod-openapi';
import { IDEMPOTENCY_KEY_FORMAT } from '../idempotency/request.js';
import { IF_MATCH_FORMAT } from './etag.js';

/**
 * The request headers a route requires but checks itself, so that a missing one is answered with its own
 * status and code (428 `if_match_required`, 400 `idempotency_key_required`) rather than the validator's
 * generic 400. The zod schema therefore lets them be absent, and `param.required` tells the document (and
 * so every client and the SDK's types) the truth: the header is required.
 */

const ifMatch = (required: boolean, description: string) =>
  z
    .string()
    // The parser's own rule (etag.ts): a value that is no ETag of this API at all is 400, one that names
    // another version 412.
    .regex(IF_MATCH_FORMAT, { error: 'must be an ETag this API issued, e.g. "v3"' })
    .optional()
    .openapi({
      param: { required },
      description: `${description} Another version is 412 \`etag_mismatch\`.`,
      example: '"v1"',
    });

/** Writes to a versioned resource name the version they read, so that a concurrent change is not lost. */
export const IfMatchHeaderSchema = z.object({
  'if-match': ifMatch(
    true,
    'The ETag of the version you read, e.g. "v3". Missing is 428 `if_match_required`.',
  ),
});

/** For a write that creates the resource when it does not exist yet and replaces it (If-Match) when it does. */
export const OptionalIfMatchHeaderSchema = z.object({
  'if-match': ifMatch(
    false,
    'The ETag of the version you read; required once the resource exists (428 `if_match_required`).',
  ),
});

/** Money-moving requests run at most once per key. */
export const IdempotencyKeyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({
      param: { required: true },
      description:
        'A unique key per operation (e.g. a UUID), 1–255 printable ASCII characters without spaces. A retry ' +
        'with the same key and body replays the first answer; the same key with another body is 409.',
      // The middleware's own rule, so the document cannot drift from it.
      pattern: IDEMPOTENCY_KEY_FORMAT.source,
      example: '0190a7c2-7b1e-7c3a-9b1d-3f2a1c5e8d90',
    }),
});
