import type { Context } from 'hono';
import { PreconditionFailed, PreconditionRequired } from '../errors.js';

/** An If-Match this API understands: one of its own ETags, weak or strong. */
export const IF_MATCH_FORMAT = /^(?:W\/)?"v(\d{1,10})"$/;

/** A strong ETag for a row version: it changes on every successful update. */
export function etagFor(version: number): string {
  return `"v${version}"`;
}

/**
 * The version the client read, from If-Match. Updates that can race require it:
 * missing is 428, a malformed or other value is answered by the caller's
 * conditional write (412 when the row has moved on).
 */
export function versionFromIfMatch(c: Context): number {
  const header = c.req.header('If-Match');
  if (!header) {
    throw new PreconditionRequired(
      'if_match_required',
      'Send If-Match with the ETag you read; updates without it could overwrite others.',
    );
  }
  const match = IF_MATCH_FORMAT.exec(header.trim());
  if (!match)
    throw new PreconditionFailed(
      'etag_mismatch',
      'If-Match does not name a current version of this resource.',
    );
  return Number(match[1]);
}
