import { EventEnvelopeSchema, type EventKey, findContract } from '@bonding/contracts';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DomainError, ValidationFailed } from '../errors.js';
import { problemResponses } from '../http/openapi.js';
import { createRouter } from '../http/router.js';
import { fieldErrors } from '../http/validation.js';
import { requireInternalSignature } from '../internal/require-signature.js';
import { type EventHandler, type EventHandlers, EventRejected } from './event-handlers.js';
import { eventMetrics } from './metrics.js';
import { eventTables } from './tables.js';
import { processInSpan } from './trace-context.js';

export interface EventInboxOptions<DB> {
  db: Kysely<DB>;
  logger: Logger;
  registry: Registry;
  /** INTERNAL_SECRETS: deliveries must be signed by one of them. */
  secrets: readonly string[];
  maxSkewSeconds?: number;
  handlers: EventHandlers<DB>;
}

const ResultSchema = z.object({ status: z.enum(['processed', 'duplicate']) });

const receiveEvent = createRoute({
  method: 'post',
  path: '/events',
  tags: ['internal'],
  summary: 'Receive an event from a producer (signed; at-least-once delivery, exactly-once effect)',
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: EventEnvelopeSchema } },
    },
  },
  responses: {
    200: {
      description: 'Applied now, or already applied before (a redelivery).',
      content: { 'application/json': { schema: ResultSchema } },
    },
    ...problemResponses(400, 401),
    422: {
      description:
        'An event type or version this service does not handle, or one a handler refused: permanent.',
    },
  },
});

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string }).code === 'ER_DUP_ENTRY';
}

/** What may be logged about a handler failure: database errors quote row values, so only their codes. */
function describeFailure(error: unknown): Record<string, unknown> {
  const { name, code, errno } = error as { name?: string; code?: string; errno?: number };
  if (typeof code === 'string' && code.startsWith('ER_')) return { errorName: name, errorCode: code, errno };
  return { err: error };
}

function unsupported(type: string, version: number, handlers: object): EventRejected {
  const versions = Object.keys(handlers)
    .filter((key) => key.startsWith(`${type}@`))
    .map((key) => key.slice(type.length + 1));
  if (versions.length === 0) {
    return new EventRejected('unsupported_event_type', `This service does not consume ${type} events.`);
  }
  return new EventRejected(
    'unsupported_event_version',
    `This service handles ${type} version ${versions.join(', ')}, not version ${version}.`,
  );
}

/**
 * `POST /internal/events`: checks the signature, then the envelope, then that
 * this service handles `type@version` (422 if not: the producer dead-letters
 * it with that reason), then the data against the contract. In one transaction
 * it records the event id in the inbox and runs the handler; an id already
 * there means a redelivery, answered 200 without running anything.
 */
export function eventInboxRoutes<DB>(options: EventInboxOptions<DB>): OpenAPIHono {
  const { db, logger, handlers } = options;
  const metrics = eventMetrics(options.registry);
  const verify = requireInternalSignature({
    secrets: options.secrets,
    ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
  });

  return createRouter().openapi({ ...receiveEvent, middleware: [verify] }, async (c) => {
    const envelope = c.req.valid('json');
    const key = `${envelope.type}@${envelope.version}`;
    const labels = { type: envelope.type };
    const handler = handlers[key as EventKey] as EventHandler<EventKey, DB> | undefined;
    const contract = findContract(envelope.type, envelope.version);
    if (!handler || !contract) {
      metrics.inboxEvents.inc({ ...labels, result: 'rejected' });
      throw unsupported(envelope.type, envelope.version, handlers);
    }
    const parsed = contract.readSchema.safeParse(envelope.data);
    if (!parsed.success) {
      metrics.inboxEvents.inc({ ...labels, result: 'rejected' });
      throw new ValidationFailed(
        fieldErrors(
          'json',
          parsed.error.issues.map((issue) => ({ ...issue, path: ['data', ...issue.path] })),
        ),
        `The data of ${key} does not match its contract.`,
      );
    }

    const afterCommit: Array<() => void> = [];
    const eventLogger = logger.child({ eventId: envelope.id, eventType: key, source: envelope.source });
    let outcome: 'processed' | 'duplicate';
    try {
      const span = {
        'messaging.system': 'bonding-outbox',
        'messaging.operation.type': 'process',
        'messaging.message.id': envelope.id,
        'messaging.source': envelope.source,
      };
      outcome = await processInSpan(`process ${envelope.type}`, span, () =>
        db.transaction().execute(async (trx) => {
          try {
            await eventTables(trx)
              .insertInto('inbox')
              .values({
                event_id: envelope.id,
                type: envelope.type,
                version: envelope.version,
                source: envelope.source,
                occurred_at: new Date(envelope.occurredAt),
                processed_at: new Date(),
              })
              .execute();
          } catch (error) {
            if (isDuplicateKey(error)) return 'duplicate' as const;
            throw error;
          }
          await handler(
            {
              id: envelope.id,
              type: envelope.type,
              version: envelope.version,
              occurredAt: new Date(envelope.occurredAt),
              source: envelope.source,
              data: parsed.data,
            } as never,
            trx,
            { logger: eventLogger, afterCommit: (effect) => afterCommit.push(effect) },
          );
          return 'processed' as const;
        }),
      );
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) {
        metrics.inboxEvents.inc({ ...labels, result: 'rejected' });
        throw error;
      }
      metrics.inboxEvents.inc({ ...labels, result: 'failed' });
      eventLogger.error(describeFailure(error), 'event handler failed; the producer will retry');
      throw new DomainError(500, 'event_handler_failed', 'Internal Server Error', {
        detail: `Handling ${key} failed; it will be retried.`,
      });
    }
    for (const effect of afterCommit) {
      try {
        effect();
      } catch (error) {
        eventLogger.error({ err: error }, 'an after-commit effect failed');
      }
    }
    metrics.inboxEvents.inc({ ...labels, result: outcome });
    return c.json({ status: outcome }, 200);
  });
}
