/** What a service's event runtime answers for an event applied directly (the kit's `EventRuntime.apply`). */
type Applied = { outcome: 'processed' | 'duplicate' } | { outcome: 'refused'; reason: string };

/** The outcome in HTTP terms, so a test reads it as it reads a route's answer. */
export interface AppliedAnswer {
  status: number;
  json: any;
}

/**
 * Applies an event as the service's JetStream consumer does (its checks, the inbox transaction, the
 * after-commit effects), without the broker. In HTTP terms: 200 applied or a repeat, 400 data against the
 * contract, 422 refused for good (a dead letter), 500 a handler failing (retried).
 */
export async function applyEventAsConsumer<Envelope>(
  events: { apply(envelope: Envelope): Promise<Applied> },
  envelope: Envelope,
): Promise<AppliedAnswer> {
  try {
    const applied = await events.apply(envelope);
    if (applied.outcome !== 'refused') return { status: 200, json: { status: applied.outcome } };
    const status = applied.reason.startsWith('invalid_event_data') ? 400 : 422;
    return { status, json: { reason: applied.reason } };
  } catch (error) {
    return { status: 500, json: { reason: (error as Error).message } };
  }
}
