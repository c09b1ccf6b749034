import { bearerSecurity, createRouter, principalOf, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { issueTicket } from '../db/stream-tickets.js';
import type { NotificationsDeps } from '../deps.js';
import { authenticateStream } from '../stream/stream-auth.js';
import { StreamEventSchema } from '../stream/stream-events.js';

const tags = ['notifications'];
const sequence = z.string().regex(/^[0-9]{1,15}$/, { error: 'must be a sequence number' });

/** Bearer token or one-time ticket: either alone is enough (OpenAPI lists alternatives). */
export const streamSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { streamTicket: [] }];

const tickets = createRoute({
  method: 'post',
  path: '/notifications/stream-tickets',
  tags,
  summary: 'A one-time ticket to open the stream with EventSource (signed in)',
  description:
    'EventSource cannot send an Authorization header. Ask for a ticket with your token, then open ' +
    '`GET /api/v1/notifications/stream?ticket=…` within its lifetime. A ticket works once; reconnecting ' +
    'takes a new one (pass the last `sequence` you saw as `lastEventId` to miss nothing).',
  security: bearerSecurity,
  responses: {
    201: {
      description: 'The ticket; only its hash is kept.',
      content: {
        'application/json': {
          schema: z.object({ ticket: z.string(), expiresAt: z.iso.datetime() }).openapi('StreamTicket'),
        },
      },
    },
    ...problemResponses(401),
  },
});

const stream = createRoute({
  method: 'get',
  path: '/notifications/stream',
  tags,
  summary: 'My notifications as they happen: server-sent events (bearer token or ?ticket=)',
  description:
    'Each notification is an event `notification` whose id is its `sequence` and whose data is the ' +
    'Notification as JSON. Comment lines keep the connection alive. To resume, send `Last-Event-ID` ' +
    '(EventSource does so by itself) or `?lastEventId=`: everything after it comes first. The stream ends ' +
    'when the access token it was opened with expires (an `expired` event first), when the user is ' +
    'disabled or the session it belongs to ends (signed out, or ended by the account), and when the server ' +
    'restarts; open it again to go on.',
  security: streamSecurity,
  request: {
    query: z.object({
      ticket: z.string().max(128).optional().openapi({ description: 'A ticket from POST …/stream-tickets.' }),
      lastEventId: sequence.optional().openapi({ description: 'Resume after this sequence number.' }),
    }),
    headers: z.object({
      'last-event-id': sequence.optional().openapi({ description: 'Resume after this sequence number.' }),
    }),
  },
  responses: {
    200: {
      description: 'An endless stream of server-sent events.',
      content: { 'text/event-stream': { schema: StreamEventSchema } },
    },
    ...problemResponses(400, 401),
  },
});

export function streamRoutes(deps: NotificationsDeps) {
  return createRouter()
    .openapi({ ...tickets, middleware: [deps.guards.require()] }, async (c) => {
      const issued = await issueTicket(deps.db, principalOf(c), {
        ttlSeconds: deps.config.STREAM_TICKET_TTL_SECONDS,
        now: deps.now(),
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ ticket: issued.ticket, expiresAt: issued.expiresAt.toISOString() }, 201);
    })
    .openapi(stream, async (c) => {
      const principal = await authenticateStream(c, deps);
      const resume = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').lastEventId;
      const body = await deps.streams.open(principal, resume === undefined ? undefined : Number(resume));
      return c.body(body, 200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        // nginx-based proxies (Kong among them) pass the stream through instead of buffering it.
        'X-Accel-Buffering': 'no',
      });
    });
}
