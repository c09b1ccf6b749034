import type { UserRevocationList } from '../auth/denylist.js';
import { refuseDisabledUser } from './denylist-events.js';
import type { EventHandler } from './event-handlers.js';
import { recordRevocation } from './revocations.js';

/**
 * The built-in consumer of `user.disabled`: persists the revocation with the
 * inbox record and, once committed, refuses the user's tokens issued at or
 * before `disabledAt` on this replica at once (the others within a sync
 * interval). A service's own handler for the event, if any, runs after it.
 */
export function userDisabledHandler<DB>(
  revocations: UserRevocationList,
  next?: EventHandler<'user.disabled@1', DB>,
): EventHandler<'user.disabled@1', DB> {
  return async (event, trx, context) => {
    await recordRevocation(trx, event.data.userId, new Date(event.data.disabledAt));
    context.afterCommit(() => refuseDisabledUser(revocations, event.data));
    await next?.(event, trx, context);
  };
}
