import { z } from '@hono/zod-openapi';
import type { NotificationRow } from '../db/schema.js';
import { NOTICE_KINDS } from '../domain/notices.js';

export const NotificationSchema = z
  .object({
    id: z.uuid(),
    sequence: z.number().int().openapi({
      description:
        'Per user, 1, 2, 3…: the id of this notification on the stream (pass the highest you have as Last-Event-ID or ?lastEventId= to resume).',
    }),
    kind: z.enum(NOTICE_KINDS),
    title: z.string(),
    body: z.string(),
    data: z
      .record(z.string(), z.union([z.string(), z.number(), z.null()]))
      .openapi({ description: 'Ids a client may link to, e.g. loanId.', example: { loanId: '0190…' } }),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .openapi('Notification');

export const NotificationPageSchema = z
  .object({ items: z.array(NotificationSchema), nextCursor: z.string().nullable() })
  .openapi('NotificationPage');

export const toNotification = (row: NotificationRow): z.infer<typeof NotificationSchema> => ({
  id: row.id,
  sequence: Number(row.seq),
  kind: row.kind as z.infer<typeof NotificationSchema>['kind'],
  title: row.title,
  body: row.body,
  data: JSON.parse(row.data) as Record<string, string | number | null>,
  createdAt: row.created_at.toISOString(),
  readAt: row.read_at ? row.read_at.toISOString() : null,
});

export const NotificationIdParam = z.object({
  id: z.uuid({ error: 'must be a notification id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
