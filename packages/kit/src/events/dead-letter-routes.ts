import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { NotFound } from '../errors.js';
import { jsonBody, problemResponses } from '../http/openapi.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { createRouter } from '../http/router.js';
import { requireInternalSignature } from '../internal/require-signature.js';
import { INBOX_DEAD_LETTER_STATUSES, LETTER_ID } from './jetstream/dead-letter-tables.js';
import {
  discardInboxDeadLetters,
  listInboxDeadLetters,
  replayInboxDeadLetters,
} from './jetstream/dead-letters.js';

export interface DeadLetterRoutesOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any service schema; only the kit's tables are touched.
  db: Kysely<any>;
  /** The consuming service: its own dead letters (inbox_dead_letters.consumer). */
  service: string;
  secrets: readonly string[];
  maxSkewSeconds?: number;
}

const STATUSES = INBOX_DEAD_LETTER_STATUSES;

const DeadLetterSchema = z.object({
  id: z.string().openapi({ description: 'The letter id; what a replay or discard names.' }),
  eventId: z.uuid(),
  source: z.string().openapi({ description: 'The producing service.' }),
  type: z.string(),
  version: z.number().int(),
  status: z.enum(STATUSES).openapi({
    description:
      'dead: waiting for an operator, holding its aggregate; parked: a later event of that aggregate; replay: queued; replayed / discarded: resolved.',
  }),
  deliveries: z.number().int(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const LetterIdSchema = z.object({
  id: z
    .string()
    .regex(LETTER_ID, { error: 'must be a letter id' })
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const CountSchema = z.object({ count: z.number().int() });

const list = createRoute({
  method: 'get',
  path: '/dead-letters',
  tags: ['internal'],
  summary: "This consumer's dead letters and the events parked behind them, oldest first (signed)",
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: {
    query: z.strictObject({
      type: z.string().max(64).optional(),
      status: z.enum(STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: {
      description:
        'A page of letters (unresolved ones unless `status` says otherwise); never the event data.',
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
  summary: 'Apply one dead letter again, then the events parked behind it, in order (signed)',
  hide: true,
  request: { params: LetterIdSchema },
  responses: {
    200: { description: 'Marked for replay.', content: { 'application/json': { schema: CountSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const discardOne = createRoute({
  method: 'post',
  path: '/dead-letters/{id}/discard',
  tags: ['internal'],
  summary: 'Give up on one dead letter; the events parked behind it then apply (signed)',
  hide: true,
  request: { params: LetterIdSchema },
  responses: {
    200: { description: 'Discarded.', content: { 'application/json': { schema: CountSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const replayMatching = createRoute({
  method: 'post',
  path: '/dead-letters/replay',
  tags: ['internal'],
  summary: 'Apply again every dead letter of this consumer, or of one event type (signed)',
  hide: true,
  request: { body: jsonBody(z.strictObject({ type: z.string().max(64).optional() })) },
  responses: {
    200: {
      description: 'How many were marked for replay.',
      content: { 'application/json': { schema: CountSchema } },
    },
    ...problemResponses(400, 401),
  },
});

/**
 * `/internal/dead-letters`: a consuming service's own dead letters (the JetStream consumer's, in its
 * database). Replay and discard only mark; the service's replay pass applies, in stream order.
 */
export function deadLetterRoutes(options: DeadLetterRoutesOptions): OpenAPIHono {
  const { db, service } = options;
  const middleware = [
    requireInternalSignature({
      secrets: options.secrets,
      ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
    }),
  ];
  const one = (count: number) => {
    if (count === 0) throw new NotFound('dead_letter_not_found', 'No dead letter with this id.');
    return count;
  };
  return createRouter()
    .openapi({ ...list, middleware }, async (c) => {
      const { limit, cursor, type, status } = c.req.valid('query');
      const afterId = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const rows = await listInboxDeadLetters(db, {
        consumer: service,
        type,
        status,
        limit: limit + 1,
        afterId,
      });
      return c.json(
        pageOf(
          rows,
          limit,
          (row) => [row.id],
          ({ consumer: _consumer, ...row }) => row,
        ),
        200,
      );
    })
    .openapi({ ...replayOne, middleware }, async (c) => {
      const count = one(await replayInboxDeadLetters(db, { ids: [c.req.valid('param').id] }));
      return c.json({ count }, 200);
    })
    .openapi({ ...discardOne, middleware }, async (c) => {
      const count = one(await discardInboxDeadLetters(db, [c.req.valid('param').id]));
      return c.json({ count }, 200);
    })
    .openapi({ ...replayMatching, middleware }, async (c) => {
      const { type } = c.req.valid('json');
      const count = await replayInboxDeadLetters(db, { all: true, filter: { consumer: service, type } });
      return c.json({ count }, 200);
    });
}
