import type { EventData } from '@bonding/contracts';
import type { UserRevocationList } from '../auth/denylist.js';

const toSeconds = (timestamp: string) => Math.floor(new Date(timestamp).getTime() / 1000);

/** user.disabled in memory: the user's tokens issued at or before `disabledAt` are refused from now on. */
export function refuseDisabledUser(list: UserRevocationList, data: EventData<'user.disabled@1'>): void {
  list.revokeTokensIssuedBefore(data.userId, toSeconds(data.disabledAt));
}

/** session.ended in memory: every token of these sessions is refused from now on. */
export function refuseEndedSessions(list: UserRevocationList, data: EventData<'session.ended@1'>): void {
  list.endSessions(data.sessionIds, toSeconds(data.endedAt));
}
