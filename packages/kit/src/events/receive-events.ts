import { type EventEnvelope, EventEnvelopeSchema, type EventKey, findContract } from '@bonding/contracts';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DomainError, ValidationFailed } from '../errors.js';
import { problemResponses } from '../http/openapi.js';
import { createRouter } from '../http/router.js';
import { fieldErrors } from '../http/validation.js';
import { requireInternalSignature } from '../internal/require-signature.js';
import { EventRejected } from './event-handlers.js';
import { eventMetrics } from './metrics.js';
import { processInSpan } from './trace-context.js';

/** A delivery that passed every check: signed, a valid envelope, a key it handles, data per the contract. */
export interface AcceptedEvent {
  envelope: EventEnvelope;
  key: EventKey;
  /** The data as the contract reads it. */
  data: unknown;
}

/**
 * Where accepted events take effect: a service's database (inbox record and handler in one transaction),
 * or memory alone in a process without a database (the local gateway's token denylist).
 */
export interface EventApplier {
  /** The `type@version` keys it applies; any other is refused with 422, which the producer dead-letters. */
  keys: readonly string[];
  /** Applies the event, or answers 'duplicate' for one applied before. Throw to have the producer retry. */
  apply(event: AcceptedEvent, logger: Logger): Promise<'processed' | 'duplicate'>;
}

export interface ReceiveEventsOptions {
  logger: Logger;
  registry: Registry;
  /** INTERNAL_SECRETS: deliveries must be signed by one of them. */
  secrets: readonly string[];
  maxSkewSeconds?: number;
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

/** What may be logged about a handler failure: database errors quote row values, so only their codes. */
function describeFailure(error: unknown): Record<string, unknown> {
  const { name, code, errno } = error as { name?: string; code?: string; errno?: number };
  if (typeof code === 'string' && code.startsWith('ER_')) return { errorName: name, errorCode: code, errno };
  return { err: error };
}

function unsupported(type: string, version: number, keys: readonly string[]): EventRejected {
  const versions = keys.filter((key) => key.startsWith(`${type}@`)).map((key) => key.slice(type.length + 1));
  if (versions.length === 0) {
    return new EventRejected('unsupported_event_type', `This service does not consume ${type} events.`);
  }
  return new EventRejected(
    'unsupported_event_version',
    `This service handles ${type} version ${versions.join(', ')}, not version ${version}.`,
  );
}

/**
 * `POST /events` (mounted under /internal): checks the signature, then the envelope, then that the
 * applier handles `type@version` (422 if not: the producer dead-letters it with that reason), then the data
 * against the contract (400), and hands the event to the applier inside a `process <type>` span.
 */
export function receiveEventsRoute(options: ReceiveEventsOptions, applier: EventApplier): OpenAPIHono {
  const { logger } = options;
  const metrics = eventMetrics(options.registry);
  const verify = requireInternalSignature({
    secrets: options.secrets,
    ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
  });

  return createRouter().openapi({ ...receiveEvent, middleware: [verify] }, async (c) => {
    const envelope = c.req.valid('json');
    const key = `${envelope.type}@${envelope.version}`;
    const labels = { type: envelope.type };
    const contract = findContract(envelope.type, envelope.version);
    if (!applier.keys.includes(key) || !contract) {
      metrics.inboxEvents.inc({ ...labels, result: 'rejected' });
      throw unsupported(envelope.type, envelope.version, applier.keys);
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
        applier.apply({ envelope, key: contract.key, data: parsed.data }, eventLogger),
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
    metrics.inboxEvents.inc({ ...labels, result: outcome });
    return c.json({ status: outcome }, 200);
  });
}
