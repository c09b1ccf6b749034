import type { ContractOf, EventData, EventKey } from '@bonding/contracts';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { DomainError, Unprocessable } from '../errors.js';

/** An event as a consumer's handler receives it: data already checked against its contract. */
export interface ConsumedEvent<Key extends EventKey> {
  id: string;
  type: ContractOf<Key>['type'];
  version: ContractOf<Key>['version'];
  occurredAt: Date;
  source: string;
  data: EventData<Key>;
}

export interface EventHandlerContext {
  logger: Logger;
  /** Runs after the transaction commits (e.g. updating an in-memory cache); never if it rolls back. */
  afterCommit(effect: () => void): void;
}

/**
 * Applies one event inside the inbox's transaction: its effect commits together with the record that the
 * event was processed, so a redelivery has no effect. Throw to have it retried; EventRejected to
 * dead-letter it.
 */
export type EventHandler<Key extends EventKey, DB> = (
  event: ConsumedEvent<Key>,
  trx: Transaction<DB>,
  context: EventHandlerContext,
) => Promise<void>;

/** Handlers by `type@version`, e.g. `'user.registered@1': async (event, trx) => ...`. */
export type EventHandlers<DB> = { [Key in EventKey]?: EventHandler<Key, DB> };

/**
 * A handler's verdict that this event can never be applied here (e.g. it names something this service has
 * no record of and never will): like any 4xx DomainError, a dead letter at once, never retried.
 */
export class EventRejected extends Unprocessable {}

/** A handler's permanent refusal (EventRejected or another 4xx DomainError) as a dead letter records it. */
export function refusalOf(error: unknown): string | undefined {
  if (!(error instanceof DomainError) || error.status >= 500) return undefined;
  return `refused: ${error.code}: ${error.detail ?? error.message}`;
}
