import type { UserRevocationList } from '../auth/denylist.js';
import type { EventHandler } from './event-handlers.js';
import { recordEndedSessions } from './revocations.js';

/**
 * The built-in consumer of `session.ended`: persists the ended sessions with the inbox record and, once
 * committed, refuses their tokens on this replica at once (the others within a sync interval).
 */
export function sessionEndedHandler<DB>(
  revocations: UserRevocationList,
): EventHandler<'session.ended@1', DB> {
  return async (event, trx, context) => {
    const endedAt = new Date(event.data.endedAt);
    await recordEndedSessions(trx, event.data.userId, event.data.sessionIds, endedAt);
    context.afterCommit(() =>
      revocations.endSessions(event.data.sessionIds, Math.floor(endedAt.getTime() / 1000)),
    );
  };
}
