import { Counter, Gauge, type Registry } from 'prom-client';

function createEventMetrics(registry: Registry) {
  const registers = [registry];
  return {
    inboxEvents: new Counter({
      name: 'inbox_events_total',
      help: 'Events consumed by type and result (processed, duplicate, parked, skipped, rejected, failed).',
      labelNames: ['type', 'result'] as const,
      registers,
    }),
    // What an operator watches on a consumer: how far each durable is behind, and its own dead and parked
    // events. Both gauges read the same from every replica (take `max`, not `sum`).
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
  };
}
export type EventMetrics = ReturnType<typeof createEventMetrics>;

const created = new WeakMap<Registry, EventMetrics>();

/** A consumer's event metrics on the service's registry, created once however many consumers ask. */
export function eventMetrics(registry: Registry): EventMetrics {
  const metrics = created.get(registry) ?? createEventMetrics(registry);
  created.set(registry, metrics);
  return metrics;
}
