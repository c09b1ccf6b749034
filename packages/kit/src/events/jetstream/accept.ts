import { type EventEnvelope, EventEnvelopeSchema, findContract } from '@bonding/contracts';
import type { InboxEvent } from '../inbox.js';

/**
 * The checks the HTTP inbox makes before applying an event, for a message pulled from JetStream: a valid
 * envelope, a handler for its type@version, data per the contract's readSchema. A failure here never gets
 * better by retrying, so the consumer dead-letters the event at once (as the producer dead-letters a 4xx).
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
