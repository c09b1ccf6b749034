import {
  bearerSecurity,
  createRouter,
  emitEvent,
  jsonBody,
  pageById,
  pageQuerySchema,
  principalOf,
  problemResponses,
  ROLES,
  recordRevocation,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAudit } from '../db/audit.js';
import { issueEmailVerification } from '../db/one-time-codes.js';
import type { UserRow } from '../db/schema.js';
import { endSessions, refuseEndedSessions } from '../db/sessions.js';
import { getUser, insertUser, listUsers, newUserRow, updateUserStatus } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { directoryEntry } from '../domain/user-events.js';
import { nextStatus, type StatusAction } from '../domain/user-status.js';
import {
  EmailSchema,
  NameSchema,
  PasswordSchema,
  toUser,
  USER_STATUSES,
  UserIdParamSchema,
  UserSchema,
} from './schemas.js';

const UserPageSchema = z
  .object({ items: z.array(UserSchema), nextCursor: z.string().nullable() })
  .openapi('UserPage');

const ListQuerySchema = pageQuerySchema.extend({
  role: z.enum(ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
});

const NewAdminSchema = z
  .strictObject({ email: EmailSchema, password: PasswordSchema, firstName: NameSchema, lastName: NameSchema })
  .openapi('NewAdmin');

const ReasonSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .openapi('StatusChange');

const adminOnly = { tags: ['users'], security: bearerSecurity };
const userResponse = { description: 'The user.', content: { 'application/json': { schema: UserSchema } } };

const list = createRoute({
  ...adminOnly,
  method: 'get',
  path: '/users',
  summary: 'List users, newest first, filtered by role and status (admin)',
  request: { query: ListQuerySchema },
  responses: {
    200: { description: 'A page of users.', content: { 'application/json': { schema: UserPageSchema } } },
    ...problemResponses(400, 401, 403),
  },
});

const getOne = createRoute({
  ...adminOnly,
  method: 'get',
  path: '/users/{id}',
  summary: 'One user (admin)',
  request: { params: UserIdParamSchema },
  responses: { 200: userResponse, ...problemResponses(400, 401, 403, 404) },
});

const createAdmin = createRoute({
  ...adminOnly,
  method: 'post',
  path: '/users/admins',
  summary: 'Create another admin (admin)',
  description: 'Admins are created only by admins (the first one from configuration).',
  request: { body: jsonBody(NewAdminSchema) },
  responses: {
    201: { description: 'Created.', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(400, 401, 403, 409),
  },
});

function statusRoute(action: StatusAction, summary: string) {
  return createRoute({
    ...adminOnly,
    method: 'post',
    path: `/users/{id}/${action}`,
    summary,
    description: 'An optional { reason } is kept; every action is audited.',
    request: {
      params: UserIdParamSchema,
      body: { ...jsonBody(ReasonSchema), required: false },
    },
    responses: { 200: userResponse, ...problemResponses(400, 401, 403, 404, 409) },
  });
}

export function userRoutes(deps: IdentityDeps) {
  const { db } = deps;
  const admin = [deps.guards.require('admin')];

  async function changeStatus(
    actorId: string,
    userId: string,
    action: StatusAction,
    reason: string | undefined,
  ) {
    const now = deps.now();
    let ended: string[] = [];
    const updated = await db.transaction().execute(async (trx) => {
      const user = await getUser(trx, userId);
      const status = nextStatus(user, action, actorId);
      await updateUserStatus(trx, user, status, now);
      const updated: UserRow = {
        ...user,
        status,
        status_changed_at: now,
        updated_at: now,
        version: user.version + 1,
      };
      // The directories first, then what happened: a consumer reacting to agent.approved or
      // user.disabled already has the user's new status.
      await emitEvent(trx, { type: 'user.updated', version: 1, data: directoryEntry(updated) }, { now });
      if (action === 'approve') {
        await emitEvent(
          trx,
          { type: 'agent.approved', version: 1, data: { userId: user.id, approvedBy: actorId } },
          { now },
        );
      }
      if (status === 'disabled') {
        // Persisted, so every identity replica refuses the tokens (syncRevocations), not only this one.
        await recordRevocation(trx, user.id, now);
        await emitEvent(
          trx,
          {
            type: 'user.disabled',
            version: 1,
            data: { userId: user.id, disabledBy: actorId, disabledAt: now.toISOString() },
          },
          { now },
        );
        // After user.disabled, which each consumer receives first (one aggregate's events arrive in commit
        // order), so the user's tokens are refused as revoked, the reason that matters, everywhere.
        ended = await endSessions(trx, { userId: user.id }, 'user_disabled', now);
      }
      await writeAudit(
        trx,
        {
          actorId,
          action: `user.${action}`,
          targetId: user.id,
          details: { from: user.status, to: status, reason },
        },
        now,
      );
      return updated;
    });
    // Tokens already issued stay valid until they expire unless refused here at once; other identity replicas
    // pick the revocation up from the table, other services from the user.disabled event.
    if (updated.status === 'disabled')
      deps.revocations.revokeTokensIssuedBefore(updated.id, Math.floor(now.getTime() / 1000));
    refuseEndedSessions(deps.revocations, ended, now);
    return toUser(updated);
  }

  const router = createRouter()
    .openapi({ ...list, middleware: admin }, async (c) => {
      const query = c.req.valid('query');
      const rows = await listUsers(db, query);
      return c.json(pageById(rows, query.limit, toUser), 200);
    })
    .openapi({ ...getOne, middleware: admin }, async (c) => {
      return c.json(toUser(await getUser(db, c.req.valid('param').id)), 200);
    })
    .openapi({ ...createAdmin, middleware: admin }, async (c) => {
      const body = c.req.valid('json');
      const actorId = principalOf(c).userId;
      const now = deps.now();
      const row = await newUserRow({ ...body, role: 'admin' }, now);
      await db.transaction().execute(async (trx) => {
        await insertUser(trx, row);
        await emitEvent(trx, { type: 'user.registered', version: 1, data: directoryEntry(row) }, { now });
        await issueEmailVerification(trx, row.id, now, deps.config.EMAIL_VERIFICATION_TTL_SECONDS);
        await writeAudit(trx, { actorId, action: 'user.admin_created', targetId: row.id }, now);
      });
      c.header('Location', `/api/v1/users/${row.id}`);
      return c.json(toUser(row), 201);
    });

  for (const [action, summary] of [
    ['approve', 'Approve a pending agent (admin)'],
    ['reject', 'Reject a pending agent (admin)'],
    ['disable', 'Disable a user and end their sessions (admin)'],
  ] as const) {
    router.openapi({ ...statusRoute(action, summary), middleware: admin }, async (c) => {
      const body = c.req.valid('json') as { reason?: string } | undefined;
      return c.json(
        await changeStatus(principalOf(c).userId, c.req.valid('param').id, action, body?.reason),
        200,
      );
    });
  }
  return router;
}
