import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { Id, Role, Timestamp, UserStatus } from './fields.js';

/**
 * What the user directories of other services keep (students: names and
 * registration number; notifications: e-mail and names). The only personal data
 * events carry, because those consumers need it to do their job.
 */
const directoryEntry = {
  userId: Id,
  email: z.email(),
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  role: Role,
  status: UserStatus,
  regNumber: z.string().max(64).nullable(),
};

export const userRegisteredV1 = defineEvent({
  type: 'user.registered',
  version: 1,
  description:
    'A user account was created (self-registration, an admin creating an admin, or the first admin).',
  shape: directoryEntry,
  aggregate: (data) => data.userId,
});

export const userUpdatedV1 = defineEvent({
  type: 'user.updated',
  version: 1,
  description: "A user's directory entry or status changed; carries the whole entry as it now is.",
  shape: directoryEntry,
  aggregate: (data) => data.userId,
});

export const agentApprovedV1 = defineEvent({
  type: 'agent.approved',
  version: 1,
  description: 'An admin approved a pending agent, who may now sign in.',
  shape: { userId: Id, approvedBy: Id },
  aggregate: (data) => data.userId,
});

export const userDisabledV1 = defineEvent({
  type: 'user.disabled',
  version: 1,
  description:
    "An admin disabled a user. Every service refuses that user's access tokens issued at or before `disabledAt`.",
  shape: { userId: Id, disabledBy: Id, disabledAt: Timestamp },
  aggregate: (data) => data.userId,
});

export const userEmailVerificationRequestedV1 = defineEvent({
  type: 'user.emailVerificationRequested',
  version: 1,
  secret: true,
  description:
    "A user must prove they read their account's e-mail (on registration, or when they ask again). Carries the " +
    'one-time verification code for notifications to mail: single-use, expires at `expiresAt`, stored only ' +
    'hashed by identity; only notifications subscribes to it (see docs/events.md).',
  shape: { userId: Id, verificationCode: z.string().min(16).max(128), expiresAt: Timestamp },
  aggregate: (data) => data.userId,
});

export const userPasswordResetRequestedV1 = defineEvent({
  type: 'user.passwordResetRequested',
  version: 1,
  secret: true,
  description:
    'Someone asked to reset the password of an existing account. Carries the one-time reset code, because ' +
    'notifications must mail it: the code is single-use, expires at `expiresAt` (minutes), is stored only ' +
    'hashed by identity, and only notifications subscribes to this event (see docs/events.md).',
  shape: { userId: Id, resetCode: z.string().min(16).max(128), expiresAt: Timestamp },
  aggregate: (data) => data.userId,
});

export const userPasswordChangedV1 = defineEvent({
  type: 'user.passwordChanged',
  version: 1,
  description:
    "A user's password changed (`changed`: by the user, knowing the old one; `reset`: through a reset code). " +
    'Notifications tells the owner, so that a change they did not make does not go unnoticed.',
  shape: { userId: Id, changedAt: Timestamp, method: z.enum(['changed', 'reset']) },
  aggregate: (data) => data.userId,
});

export const userEmailChangeRequestedV1 = defineEvent({
  type: 'user.emailChangeRequested',
  version: 1,
  secret: true,
  description:
    'A user asked to move their account to a new e-mail address. Carries the one-time confirmation code and ' +
    'both addresses, because notifications must mail the code to the new address (the directory does not know ' +
    'it yet) and a warning to the old one: single-use, expires at `expiresAt`, stored only hashed by identity; ' +
    'only notifications subscribes to it (see docs/events.md).',
  shape: {
    userId: Id,
    oldEmail: z.email(),
    newEmail: z.email(),
    confirmationCode: z.string().min(16).max(128),
    expiresAt: Timestamp,
  },
  aggregate: (data) => data.userId,
});

export const userEmailChangedV1 = defineEvent({
  type: 'user.emailChanged',
  version: 1,
  description:
    "A user's e-mail address changed (confirmed from the new address). Carries the old address, which " +
    'notifications warns: the directory already holds the new one (user.updated).',
  shape: { userId: Id, oldEmail: z.email(), changedAt: Timestamp },
  aggregate: (data) => data.userId,
});

export const userTwoFactorChangedV1 = defineEvent({
  type: 'user.twoFactorChanged',
  version: 1,
  description:
    "A user's two-factor sign-in changed: an authenticator was `enabled` or `disabled`, a " +
    '`recovery_code_used` to sign in, or the recovery codes `recovery_codes_renewed` (`recoveryCodesLeft` says ' +
    'how many are left). Notifications tells the owner, so that a change they did not make does not go unnoticed.',
  shape: {
    userId: Id,
    change: z.enum(['enabled', 'disabled', 'recovery_code_used', 'recovery_codes_renewed']),
    changedAt: Timestamp,
    recoveryCodesLeft: z.number().int().min(0).nullable(),
  },
  aggregate: (data) => data.userId,
});

/** Why sessions end: the user signed out or ended them, or something about the account made identity end them. */
export const SessionEndReason = z.enum([
  'logout',
  'revoked_by_user',
  'password_changed',
  'password_reset',
  'email_changed',
  'mfa_enabled',
  'user_disabled',
  'reuse_detected',
]);

export type SessionEndReason = z.infer<typeof SessionEndReason>;

/** Sessions ended together, at most this many to an event (identity splits a larger set). */
export const MAX_SESSIONS_PER_EVENT = 500;

export const sessionEndedV1 = defineEvent({
  type: 'session.ended',
  version: 1,
  description:
    "Sessions of a user ended (sign-out, a session or all sessions ended, a refresh token's reuse detected, a " +
    'password change or reset, an e-mail change, two-factor sign-in turned on, the user disabled). Every ' +
    'service refuses the access tokens whose `sid` is one of `sessionIds` from the moment the event arrives ' +
    '(401 `session_ended`), and remembers them until every such token has expired.',
  shape: {
    userId: Id,
    sessionIds: z.array(Id).min(1).max(MAX_SESSIONS_PER_EVENT),
    endedAt: Timestamp,
    reason: SessionEndReason,
  },
  aggregate: (data) => data.userId,
});
