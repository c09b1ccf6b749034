import type { EventKey } from '@bonding/contracts';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
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
    async apply({ envelope, key, data }, logger) {
      const handler = handlers[key] as EventHandler<EventKey, DB>;
      const afterCommit: Array<() => void> = [];
      const outcome = await db.transaction().execute(async (trx) => {
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
            data,
          } as never,
          trx,
          { logger, afterCommit: (effect) => afterCommit.push(effect) },
        );
        return 'processed' as const;
      });
      for (const effect of afterCommit) {
        try {
          effect();
        } catch (error) {
          logger.error({ err: error }, 'an after-commit effect failed');
        }
      }
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
