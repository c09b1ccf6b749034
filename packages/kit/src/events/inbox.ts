import type { EventKey } from '@bonding/contracts';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { EventHandler, EventHandlers } from './event-handlers.js';
import { type EventApplier, type ReceiveEventsOptions, receiveEventsRoute } from './receive-events.js';
import { eventTables } from './tables.js';

export interface EventInboxOptions<DB> extends ReceiveEventsOptions {
  db: Kysely<DB>;
  handlers: EventHandlers<DB>;
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string }).code === 'ER_DUP_ENTRY';
}

/** An event ready to apply: its envelope, the handler's key, and the data as its contract reads it. */
export interface InboxEvent {
  envelope: { id: string; type: string; version: number; occurredAt: string; source: string };
  key: string;
  data: unknown;
}

/**
 * Inside the caller's transaction: records the event id in the inbox and runs the handler, or answers
 * 'duplicate' for an id already there (a redelivery) without running anything. The handler's afterCommit
 * effects are collected in `afterCommit`, for the caller to run once the transaction has committed. Used
 * by the HTTP inbox below and by the JetStream consumer, which parks events in the same transaction.
 */
export async function applyInInbox<DB>(
  trx: Transaction<DB>,
  handlers: EventHandlers<DB>,
  { envelope, key, data }: InboxEvent,
  logger: Logger,
  afterCommit: Array<() => void>,
): Promise<'processed' | 'duplicate'> {
  const handler = handlers[key as EventKey] as EventHandler<EventKey, DB>;
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
    if (isDuplicateKey(error)) return 'duplicate';
    throw error;
  }
  await handler(
    {
      id: envelope.id,
      type: envelope.type,
      version: envelope.version,
      occurredAt: new Date(envelope.occurredAt),
      source: envelope.source,
      data,
    } as never,
    trx,
    { logger, afterCommit: (effect) => afterCommit.push(effect) },
  );
  return 'processed';
}

/** Runs a committed handler's after-commit effects; one failing does not stop the others. */
export function runAfterCommit(effects: Array<() => void>, logger: Logger): void {
  for (const effect of effects) {
    try {
      effect();
    } catch (error) {
      logger.error({ err: error }, 'an after-commit effect failed');
    }
  }
}

/**
 * In one transaction records the event id in the inbox and runs the handler; an id already there means a
 * redelivery, answered 'duplicate' without running anything. After the commit, the handler's afterCommit
 * effects run (never if it rolled back).
 */
function databaseInbox<DB>(db: Kysely<DB>, handlers: EventHandlers<DB>): EventApplier {
  return {
    keys: Object.entries(handlers)
      .filter(([, handler]) => handler)
      .map(([key]) => key),
    async apply(event, logger) {
      const afterCommit: Array<() => void> = [];
      const outcome = await db
        .transaction()
        .execute((trx) => applyInInbox(trx, handlers, event, logger, afterCommit));
      runAfterCommit(afterCommit, logger);
      return outcome;
    },
  };
}

/**
 * `POST /internal/events` of a service with a database: the checks of receiveEventsRoute, then the inbox
 * transaction, so every event has its effect exactly once however often it is delivered.
 */
export function eventInboxRoutes<DB>(options: EventInboxOptions<DB>): OpenAPIHono {
  return receiveEventsRoute(options, databaseInbox(options.db, options.handlers));
}
