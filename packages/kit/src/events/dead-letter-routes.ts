import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFound } from '../errors.js';
import { jsonBody, problemResponses } from '../http/openapi.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { createRouter } from '../http/router.js';
import { requireInternalSignature } from '../internal/require-signature.js';
import { listDeadLetters, replayDeadLetters } from './dead-letters.js';
import type { AnyDatabase } from './tables.js';

export interface DeadLetterRoutesOptions {
  db: AnyDatabase;
  secrets: readonly string[];
  maxSkewSeconds?: number;
}

const DeadLetterSchema = z.object({
  id: z.string().openapi({ description: 'The delivery id; what a replay names.' }),
  eventId: z.uuid(),
  type: z.string(),
  version: z.number().int(),
  subscriber: z.string(),
  attempts: z.number().int(),
  reason: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  deadAt: z.iso.datetime(),
});

const FilterSchema = z.strictObject({
  subscriber: z.string().max(64).optional(),
  type: z.string().max(64).optional(),
});

const DeliveryIdSchema = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, { error: 'must be a delivery id' })
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const ReplayedSchema = z.object({ replayed: z.number().int() });

const list = createRoute({
  method: 'get',
  path: '/dead-letters',
  tags: ['internal'],
  summary: 'Dead-lettered event deliveries, oldest first (signed)',
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: {
    query: FilterSchema.extend({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of dead letters.',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(DeadLetterSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401),
  },
});

const replayOne = createRoute({
  method: 'post',
  path: '/dead-letters/{id}/replay',
  tags: ['internal'],
  summary: 'Queue one dead letter for delivery again, with a fresh set of attempts (signed)',
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: { params: DeliveryIdSchema },
  responses: {
    200: { description: 'Queued.', content: { 'application/json': { schema: ReplayedSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const replayMatching = createRoute({
  method: 'post',
  path: '/dead-letters/replay',
  tags: ['internal'],
  summary: 'Queue every dead letter matching the filter (all when empty) for delivery again (signed)',
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: { body: jsonBody(FilterSchema) },
  responses: {
    200: {
      description: 'How many were queued.',
      content: { 'application/json': { schema: ReplayedSchema } },
    },
    ...problemResponses(400, 401),
  },
});

/** `/internal/dead-letters`: list and replay this service's dead-lettered deliveries. */
export function deadLetterRoutes(options: DeadLetterRoutesOptions): OpenAPIHono {
  const { db } = options;
  const middleware = [
    requireInternalSignature({
      secrets: options.secrets,
      ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
    }),
  ];
  return createRouter()
    .openapi({ ...list, middleware }, async (c) => {
      const { limit, cursor, subscriber, type } = c.req.valid('query');
      const afterId = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const rows = await listDeadLetters(db, { subscriber, type, limit: limit + 1, afterId });
      return c.json(
        pageOf(
          rows,
          limit,
          (row) => [row.id],
          (row) => row,
        ),
        200,
      );
    })
    .openapi({ ...replayOne, middleware }, async (c) => {
      const replayed = await replayDeadLetters(db, { ids: [c.req.valid('param').id] });
      if (replayed === 0) throw new NotFound('dead_letter_not_found', 'No dead letter with this id.');
      return c.json({ replayed }, 200);
    })
    .openapi({ ...replayMatching, middleware }, async (c) => {
      const filter = c.req.valid('json');
      return c.json({ replayed: await replayDeadLetters(db, { all: true, filter }) }, 200);
    });
}
