import type { EventData } from '@bonding/contracts';
import type { UserRow } from '../db/schema.js';

/**
 * A user as other services' directories see them: ids and the fields they need
 * (e-mail and names for notifications, names and registration number for
 * students) — never the password hash or anything else.
 */
export function directoryEntry(user: UserRow): EventData<'user.registered@1'> {
  return {
    userId: user.id,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    role: user.role,
    status: user.status,
    regNumber: user.reg_number,
  };
}

type TwoFactorChange = EventData<'user.twoFactorChanged@1'>['change'];

/** `user.twoFactorChanged`: what changed, and how many recovery codes are left (null once it is off). */
export function twoFactorChanged(
  userId: string,
  change: TwoFactorChange,
  now: Date,
  recoveryCodesLeft: number | null,
) {
  return {
    type: 'user.twoFactorChanged' as const,
    version: 1 as const,
    data: { userId, change, changedAt: now.toISOString(), recoveryCodesLeft },
  };
}
