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
