import { z } from '@hono/zod-openapi';

/**
 * The events of GET /notifications/stream, each as an SSE client reads it: its `event` name, its `id` and
 * its `data` (always one line of JSON). The route documents this schema for each event of the stream
 * (OpenAPI 3.1 reads a `text/event-stream` schema per event), and the tests check every frame they
 * receive against it, so the document and the stream cannot drift apart.
 */
const jsonData = (contentSchema: object, description: string) =>
  z.string().openapi({ description, contentMediaType: 'application/json', contentSchema } as never);

/** The data of the `expired` event, which a client parses from JSON (the tests check it with this). */
export const ExpiredDataSchema = z.strictObject({ reason: z.literal('token_expired') });

function expiredDataJsonSchema(): object {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ExpiredDataSchema);
  return schema;
}

/** A notification's sequence, the id of its event. */
const SEQUENCE = /^[1-9][0-9]{0,14}$/;

export const StreamEventSchema = z
  .union([
    z.object({
      event: z.literal('notification'),
      id: z.string().regex(SEQUENCE).openapi({ description: "The notification's sequence." }),
      data: jsonData({ $ref: '#/components/schemas/Notification' }, 'The Notification, as JSON.'),
    }),
    z.object({
      event: z.literal('expired'),
      // An SSE client carries the last id over to later events; the server sends none with this one.
      id: z.string().regex(SEQUENCE).optional(),
      data: jsonData(
        expiredDataJsonSchema(),
        '`{"reason":"token_expired"}`: the token the stream was opened with expired.',
      ),
    }),
  ])
  .openapi('NotificationStreamEvent', {
    description:
      'One server-sent event. Comment lines (`: heartbeat`) keep the connection busy and carry no event.',
  });
