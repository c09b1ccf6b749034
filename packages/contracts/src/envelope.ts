import { z } from 'zod';
import { Id, Timestamp } from './fields.js';

/**
 * An event on the wire, whatever carries it (HTTP push today, a broker later).
 * `data` is checked against the contract of `type@version` by the consumer,
 * so that an unknown version is told apart from a malformed event.
 */
export const EventEnvelopeSchema = z.object({
  id: Id,
  type: z.string().regex(/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/, { error: 'must be noun.pastTenseVerb' }),
  version: z.number().int().min(1),
  occurredAt: Timestamp,
  /** The producing service. */
  source: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()),
});

export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
