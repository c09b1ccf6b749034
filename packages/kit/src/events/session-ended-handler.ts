import type { UserRevocationList } from '../auth/denylist.js';
import { refuseEndedSessions } from './denylist-events.js';
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
    await recordEndedSessions(trx, event.data.userId, event.data.sessionIds, new Date(event.data.endedAt));
    context.afterCommit(() => refuseEndedSessions(revocations, event.data));
  };
}
