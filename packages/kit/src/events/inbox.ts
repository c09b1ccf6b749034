import { type EventEnvelope, EventEnvelopeSchema, type EventKey, findContract } from '@bonding/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { inReadCommitted } from '../db/deadlock-retry.js';
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

/**
 * Applies an event in its own READ COMMITTED transaction, run again on a deadlock: `gate` first (the
 * consumer parks an event behind its aggregate's dead letter there), else the inbox and the handler. The
 * handler's after-commit effects run once that commits, only those of the attempt that committed.
 */
export async function applyEvent<DB, Gated extends string = never>(
  db: Kysely<DB>,
  handlers: EventHandlers<DB>,
  event: InboxEvent,
  logger: Logger,
  gate?: (trx: Transaction<DB>) => Promise<Gated | undefined>,
): Promise<'processed' | 'duplicate' | Gated> {
  let afterCommit: Array<() => void> = [];
  const outcome = await inReadCommitted(db, async (trx) => {
    afterCommit = [];
    return (await gate?.(trx)) ?? applyInInbox(trx, handlers, event, logger, afterCommit);
  });
  runAfterCommit(afterCommit, logger);
  return outcome;
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
 * The checks before applying an event: a valid envelope, a handler for its type@version, data per the
 * contract's readSchema. A failure here never gets better by retrying, so the consumer dead-letters the
 * event at once.
 */
export type Accepted =
  | { ok: true; event: InboxEvent & { envelope: EventEnvelope } }
  | { ok: false; reason: string };

export function parseEnvelope(body: string): EventEnvelope | undefined {
  try {
    const parsed = EventEnvelopeSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function acceptEvent(envelope: EventEnvelope, keys: readonly string[]): Accepted {
  const key = `${envelope.type}@${envelope.version}`;
  const contract = findContract(envelope.type, envelope.version);
  if (!contract || !keys.includes(key)) {
    const handled = keys.filter((k) => k.startsWith(`${envelope.type}@`));
    return {
      ok: false,
      reason:
        handled.length === 0
          ? `unsupported_event_type: no handler for ${envelope.type}`
          : `unsupported_event_version: handles ${handled.join(', ')}, not version ${envelope.version}`,
    };
  }
  const parsed = contract.readSchema.safeParse(envelope.data);
  if (!parsed.success) {
    // Paths only: values may be personal data.
    const paths = parsed.error.issues.map((issue) => ['data', ...issue.path].join('.'));
    return {
      ok: false,
      reason: `invalid_event_data: ${key} does not match its contract (${paths.join(', ')})`,
    };
  }
  return { ok: true, event: { envelope, key: contract.key, data: parsed.data } };
}
