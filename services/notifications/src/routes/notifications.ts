import {
  bearerSecurity,
  createRouter,
  decodeCursor,
  NotFound,
  pageOf,
  pageQuery,
  principalOf,
  problemResponses,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { findNotification, listNotifications, markAllRead, markRead } from '../db/notifications.js';
import type { NotificationsDeps } from '../deps.js';
import {
  NotificationIdParam,
  NotificationPageSchema,
  NotificationSchema,
  toNotification,
} from './schemas.js';

const tags = ['notifications'];

const list = createRoute({
  method: 'get',
  path: '/notifications',
  tags,
  summary: 'My notifications, newest first (signed in)',
  description:
    'unread=true lists only unread ones. Each has a sequence (1, 2, 3… per user), which the stream uses as its event id.',
  security: bearerSecurity,
  request: {
    query: pageQuery('sequence').extend({
      unread: z
        .enum(['true', 'false'])
        .default('false')
        .transform((value) => value === 'true')
        .openapi({ description: 'Only the ones not yet read.' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of notifications.',
      content: { 'application/json': { schema: NotificationPageSchema } },
    },
    ...problemResponses(400, 401),
  },
});

const read = createRoute({
  method: 'post',
  path: '/notifications/{id}/read',
  tags,
  summary: 'Mark one of my notifications read (signed in; repeating it changes nothing)',
  description: "Someone else's notification answers 404.",
  security: bearerSecurity,
  request: { params: NotificationIdParam },
  responses: {
    200: {
      description: 'The notification, read.',
      content: { 'application/json': { schema: NotificationSchema } },
    },
    ...problemResponses(400, 401, 404),
  },
});

const readAll = createRoute({
  method: 'post',
  path: '/notifications/read-all',
  tags,
  summary: 'Mark all my notifications read (signed in)',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'How many were unread until now.',
      content: {
        'application/json': {
          schema: z.object({ markedRead: z.number().int() }).openapi('MarkedRead'),
        },
      },
    },
    ...problemResponses(401),
  },
});

/** The sequence number a list cursor continues below (its shape is the query's: a positive integer). */
const sequenceCursor = (cursor: string): number => Number(decodeCursor(cursor, 1)[0]);

export function notificationRoutes(deps: NotificationsDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];
  return createRouter()
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const { unread, limit, cursor } = c.req.valid('query');
      const rows = await listNotifications(db, principalOf(c).userId, {
        unread,
        limit,
        ...(cursor ? { before: sequenceCursor(cursor) } : {}),
      });
      return c.json(
        pageOf(rows, limit, (row) => [Number(row.seq)], toNotification),
        200,
      );
    })
    .openapi({ ...readAll, middleware: signedIn }, async (c) => {
      const markedRead = await markAllRead(db, principalOf(c).userId, deps.now());
      return c.json({ markedRead }, 200);
    })
    .openapi({ ...read, middleware: signedIn }, async (c) => {
      const userId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      // Both queries are scoped to the caller: another user's notification is simply not found.
      await markRead(db, userId, id, deps.now());
      const row = await findNotification(db, userId, id);
      if (!row) throw new NotFound('notification_not_found', 'You have no such notification.');
      return c.json(toNotification(row), 200);
    });
}
