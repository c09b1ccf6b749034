import { Counter, type Registry } from 'prom-client';

export interface EventMetrics {
  inboxEvents: Counter<'type' | 'result'>;
}

const created = new WeakMap<Registry, EventMetrics>();

/** The consumer's event metrics on the service's registry, created once per registry. */
export function eventMetrics(registry: Registry): EventMetrics {
  const existing = created.get(registry);
  if (existing) return existing;
  const metrics: EventMetrics = {
    inboxEvents: new Counter({
      name: 'inbox_events_total',
      help: 'Events consumed by type and result (processed, duplicate, parked, skipped, rejected, failed).',
      labelNames: ['type', 'result'] as const,
      registers: [registry],
    }),
  };
  created.set(registry, metrics);
  return metrics;
}
