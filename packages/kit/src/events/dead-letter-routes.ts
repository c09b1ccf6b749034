import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { NotFound } from '../errors.js';
import { jsonBody, problemResponses } from '../http/openapi.js';
import { decodeCursor, pageById } from '../http/pagination.js';
import { createRouter } from '../http/router.js';
import { requireInternalSignature } from '../internal/require-signature.js';
import {
  discardInboxDeadLetters,
  INBOX_DEAD_LETTER_STATUSES,
  LETTER_ID,
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

const DeadLetterSchema = z.object({
  id: z.string().openapi({ description: 'The letter id; what a replay or discard names.' }),
  eventId: z.uuid(),
  source: z.string().openapi({ description: 'The producing service.' }),
  type: z.string(),
  version: z.number().int(),
  status: z.enum(INBOX_DEAD_LETTER_STATUSES).openapi({
    description:
      'dead: waiting for an operator, holding its aggregate; parked: a later event of that aggregate; replay: queued; replayed / discarded: resolved.',
  }),
  deliveries: z.number().int(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** A 200 answer in JSON. */
const ok = <Schema extends z.ZodType>(description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema } },
});
const CountSchema = z.object({ count: z.number().int() });

/**
 * `/internal/dead-letters`: a consuming service's own dead letters (the JetStream consumer's, in its
 * database). Replay and discard only mark; the service's replay pass applies, in stream order.
 */
export function deadLetterRoutes(options: DeadLetterRoutesOptions): OpenAPIHono {
  const { db, service: consumer, secrets, maxSkewSeconds } = options;
  const signed = {
    tags: ['internal'],
    // Internal routes stay out of the public API document: the edge never routes them.
    hide: true,
    middleware: [
      requireInternalSignature({ secrets, ...(maxSkewSeconds === undefined ? {} : { maxSkewSeconds }) }),
    ],
  };
  const router = createRouter().openapi(
    createRoute({
      ...signed,
      method: 'get',
      path: '/dead-letters',
      summary: "This consumer's dead letters and the events parked behind them, oldest first (signed)",
      request: {
        query: z.strictObject({
          type: z.string().max(64).optional(),
          status: z.enum(INBOX_DEAD_LETTER_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(512).optional(),
        }),
      },
      responses: {
        200: ok(
          'A page of letters (unresolved ones unless `status` says otherwise); never the event data.',
          z.object({ items: z.array(DeadLetterSchema), nextCursor: z.string().nullable() }),
        ),
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const { limit, cursor, type, status } = c.req.valid('query');
      const afterId = cursor ? decodeCursor(cursor, 1)[0] : undefined;
      const rows = await listInboxDeadLetters(db, { consumer, type, status, limit: limit + 1, afterId });
      return c.json(
        pageById(rows, limit, ({ consumer: _, ...letter }) => letter),
        200,
      );
    },
  );

  // Replay and discard of one letter: the same route but for the path, the words and what it marks.
  const oneLetter = (action: 'replay' | 'discard', summary: string, answer: string) =>
    router.openapi(
      createRoute({
        ...signed,
        method: 'post',
        path: `/dead-letters/{id}/${action}`,
        summary,
        request: {
          params: z.object({
            id: z
              .string()
              .regex(LETTER_ID, { error: 'must be a letter id' })
              .openapi({ param: { name: 'id', in: 'path' } }),
          }),
        },
        responses: { 200: ok(answer, CountSchema), ...problemResponses(400, 401, 404) },
      }),
      async (c) => {
        const ids = [c.req.valid('param').id];
        const count = await (action === 'replay'
          ? replayInboxDeadLetters(db, { ids })
          : discardInboxDeadLetters(db, ids));
        if (count === 0) throw new NotFound('dead_letter_not_found', 'No dead letter with this id.');
        return c.json({ count }, 200);
      },
    );
  oneLetter(
    'replay',
    'Apply one dead letter again, then the events parked behind it, in order (signed)',
    'Marked for replay.',
  );
  oneLetter(
    'discard',
    'Give up on one dead letter; the events parked behind it then apply (signed)',
    'Discarded.',
  );

  return router.openapi(
    createRoute({
      ...signed,
      method: 'post',
      path: '/dead-letters/replay',
      summary: 'Apply again every dead letter of this consumer, or of one event type (signed)',
      request: { body: jsonBody(z.strictObject({ type: z.string().max(64).optional() })) },
      responses: { 200: ok('How many were marked for replay.', CountSchema), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const { type } = c.req.valid('json');
      const count = await replayInboxDeadLetters(db, { all: true, filter: { consumer, type } });
      return c.json({ count }, 200);
    },
  );
}
