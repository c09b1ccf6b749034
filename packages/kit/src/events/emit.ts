import { type EventInput, findContract } from '@bonding/contracts';
import { uuidv7 } from '../ids.js';
import { type AnyTransaction, eventTables } from './tables.js';
import { captureTraceContext } from './trace-context.js';

/** A producer tried to emit an event its contract refuses: a bug, never sent anywhere. */
export class InvalidEvent extends Error {}

export interface EmittedEvent {
  id: string;
  type: string;
  version: number;
  occurredAt: Date;
}

/**
 * Writes an event to the outbox inside the caller's transaction, so it exists if and only if the state
 * change commits. The data must satisfy the contract of `type@version`: unknown fields are refused too, so
 * no unplanned personal data leaves the service. Nothing is sent here; the outbox publisher sends it.
 *
 * Emit after writing the aggregate's own row (the user, the loan): concurrent transactions on one
 * aggregate then wait on that row and number their events in commit order, the order consumers get them.
 */
export async function emitEvent(
  trx: AnyTransaction,
  event: EventInput,
  options: { now?: Date } = {},
): Promise<EmittedEvent> {
  if (!trx.isTransaction) {
    throw new InvalidEvent('emitEvent needs the transaction of the state change, not a plain connection');
  }
  const contract = findContract(event.type, event.version);
  if (!contract) throw new InvalidEvent(`no contract for ${event.type}@${event.version}`);
  const parsed = contract.schema.safeParse(event.data);
  if (!parsed.success) {
    // Paths and messages only: the values may be personal data.
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`,
    );
    throw new InvalidEvent(`${contract.key} does not match its contract: ${problems.join('; ')}`);
  }
  const occurredAt = options.now ?? new Date();
  const id = uuidv7(occurredAt.getTime());
  const trace = captureTraceContext();
  await eventTables(trx)
    .insertInto('outbox')
    .values({
      id,
      type: contract.type,
      version: contract.version,
      // The union of contracts is narrowed by findContract at run time, not in the types.
      aggregate_key: contract.aggregateOf(parsed.data as never),
      payload: JSON.stringify(parsed.data),
      occurred_at: occurredAt,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      fanned_out_at: null,
      created_at: occurredAt,
    })
    .execute();
  return { id, type: contract.type, version: contract.version, occurredAt };
}
