import type { EventKey } from '@bonding/contracts';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { EventHandler, EventHandlers } from './event-handlers.js';
import { eventTables } from './tables.js';

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
 * effects are collected in `afterCommit`, for the caller to run once the transaction has committed. The
 * JetStream consumer calls it in the transaction where it also checks, or parks behind, a dead letter.
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
