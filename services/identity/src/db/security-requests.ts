import type { Kysely } from 'kysely';
import type { IdentityDatabase } from './schema.js';

export interface RequestLimit {
  max: number;
  windowSeconds: number;
}

/**
 * Counts one request in `bucket` (e.g. `password_reset:<e-mail>`) and answers
 * how many seconds the caller must wait if it is over the limit, else 0. A
 * refused request is not counted, so a client that keeps trying is let through
 * again once the window has moved on.
 */
export async function takeRequestSlot(
  db: Kysely<IdentityDatabase>,
  bucket: string,
  limit: RequestLimit,
  now: Date,
): Promise<number> {
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
  // The bucket forgets what fell out of its window (buckets never asked again keep their few rows).
  await db
    .deleteFrom('security_requests')
    .where('bucket', '=', bucket)
    .where('created_at', '<=', windowStart)
    .execute();
  const recent = await db
    .selectFrom('security_requests')
    .select('created_at')
    .where('bucket', '=', bucket)
    .where('created_at', '>', windowStart)
    .orderBy('created_at')
    .limit(limit.max)
    .execute();
  if (recent.length >= limit.max) {
    const oldest = recent[0]?.created_at ?? now;
    return Math.max(1, Math.ceil((oldest.getTime() + limit.windowSeconds * 1000 - now.getTime()) / 1000));
  }
  await db.insertInto('security_requests').values({ bucket, created_at: now }).execute();
  return 0;
}
