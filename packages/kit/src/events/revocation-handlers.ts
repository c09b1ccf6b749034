import type { EventData } from '@bonding/contracts';
import type { UserRevocationList } from '../auth/denylist.js';
import { recordEndedSessions, recordRevocation } from '../auth/revocations.js';
import type { EventHandler } from './event-handlers.js';

const toSeconds = (timestamp: string) => Math.floor(new Date(timestamp).getTime() / 1000);

/** user.disabled in memory: the user's tokens issued at or before `disabledAt` are refused from now on. */
export function refuseDisabledUser(list: UserRevocationList, data: EventData<'user.disabled@1'>): void {
  list.revokeTokensIssuedBefore(data.userId, toSeconds(data.disabledAt));
}

/** session.ended in memory: every token of these sessions is refused from now on. */
export function refuseEndedSessions(list: UserRevocationList, data: EventData<'session.ended@1'>): void {
  list.endSessions(data.sessionIds, toSeconds(data.endedAt));
}

/**
 * The built-in consumer of `user.disabled`: persists the revocation with the inbox record and, once
 * committed, refuses the user's tokens on this replica at once (the others within a sync interval). A
 * service's own handler for the event, if any, runs after it.
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

/** The built-in consumer of `session.ended`, as userDisabledHandler for the sessions' tokens. */
export function sessionEndedHandler<DB>(
  revocations: UserRevocationList,
): EventHandler<'session.ended@1', DB> {
  return async (event, trx, context) => {
    await recordEndedSessions(trx, event.data.userId, event.data.sessionIds, new Date(event.data.endedAt));
    context.afterCommit(() => refuseEndedSessions(revocations, event.data));
  };
}
