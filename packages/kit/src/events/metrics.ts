import type { JetStreamClient } from '@nats-io/jetstream';
import type { Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import { tablesOf, UNRESOLVED_STATUSES } from './jetstream/dead-letters.js';
import type { Durable } from './jetstream/subjects.js';

/** Metrics made by `make` on a registry once, however many consumers ask for them. */
function perRegistry<Metrics>(make: (registers: Registry[]) => Metrics): (registry: Registry) => Metrics {
  const created = new WeakMap<Registry, Metrics>();
  return (registry) => {
    const metrics = created.get(registry) ?? make([registry]);
    created.set(registry, metrics);
    return metrics;
  };
}

/** The consumer's event metrics on the service's registry. */
export const eventMetrics = perRegistry((registers) => ({
  inboxEvents: new Counter({
    name: 'inbox_events_total',
    help: 'Events consumed by type and result (processed, duplicate, parked, skipped, rejected, failed).',
    labelNames: ['type', 'result'] as const,
    registers,
  }),
}));
export type EventMetrics = ReturnType<typeof eventMetrics>;

/**
 * What an operator watches on a consumer over JetStream: how far each durable is behind, and the
 * consumer's own dead and parked events. Both are the same from every replica (take `max`, not `sum`).
 */
export const jetstreamMetrics = perRegistry((registers) => ({
  pending: new Gauge({
    name: 'jetstream_consumer_pending',
    help: 'Events a durable has not yet handed out or had acked (num_pending + num_ack_pending), by durable.',
    labelNames: ['durable'] as const,
    registers,
  }),
  deadLetters: new Gauge({
    name: 'inbox_dead_letters',
    help: 'This consumer’s dead letters and the events parked behind them, by event type and status.',
    labelNames: ['type', 'status'] as const,
    registers,
  }),
}));
export type JetStreamMetrics = ReturnType<typeof jetstreamMetrics>;

/** Re-reads both gauges: each durable's info from the server, the letters from the database. */
export async function refreshJetStreamGauges(
  metrics: JetStreamMetrics,
  js: JetStreamClient,
  consumers: readonly Durable[],
  // biome-ignore lint/suspicious/noExplicitAny: any service schema; only the kit's tables are read.
  db: Kysely<any>,
  service: string,
): Promise<void> {
  const rows = await tablesOf(db)
    .selectFrom('inbox_dead_letters')
    .select(['type', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('consumer', '=', service)
    .where('status', 'in', UNRESOLVED_STATUSES)
    .groupBy(['type', 'status'])
    .execute();
  metrics.deadLetters.reset();
  for (const row of rows) metrics.deadLetters.set({ type: row.type, status: row.status }, Number(row.n));
  for (const consumer of consumers) {
    const info = await (await js.consumers.get(consumer.stream, consumer.durable)).info(false);
    metrics.pending.set({ durable: consumer.durable }, info.num_pending + info.num_ack_pending);
  }
}
