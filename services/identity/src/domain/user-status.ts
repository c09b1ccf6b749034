import { Conflict, type Role } from '@bonding/kit';
import type { UserStatus } from '../db/schema.js';

export type StatusAction = 'approve' | 'reject' | 'disable';

interface Subject {
  id: string;
  role: Role;
  status: UserStatus;
}

/**
 * The moves an admin may make: approve or reject a pending agent; disable
 * anyone else who is not already disabled. Anything else is a 409.
 */
export function nextStatus(subject: Subject, action: StatusAction, actorId: string): UserStatus {
  switch (action) {
    case 'approve':
    case 'reject':
      if (subject.role !== 'agent' || subject.status !== 'pending') {
        throw new Conflict(
          'invalid_status_transition',
          `Only pending agents can be ${action}d; this user is ${subject.status}.`,
        );
      }
      return action === 'approve' ? 'active' : 'rejected';
    case 'disable':
      if (subject.id === actorId)
        throw new Conflict('cannot_disable_self', 'Admins cannot disable themselves.');
      if (subject.status === 'disabled')
        throw new Conflict('invalid_status_transition', 'The user is already disabled.');
      return 'disabled';
  }
}

/** Why a user with the right password still may not sign in, as a stable error code. */
export function signInBlockedCode(status: UserStatus): string | undefined {
  switch (status) {
    case 'active':
      return undefined;
    case 'pending':
      return 'account_pending_approval';
    case 'rejected':
      return 'account_rejected';
    case 'disabled':
      return 'account_disabled';
  }
}
