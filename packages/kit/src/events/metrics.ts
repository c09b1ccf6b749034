import { Counter, Gauge, type Registry } from 'prom-client';

export interface EventMetrics {
  backlog: Gauge<'type' | 'subscriber'>;
  oldestPendingSeconds: Gauge<'subscriber'>;
  deadLetters: Gauge<'type' | 'subscriber'>;
  deliveryAttempts: Counter<'type' | 'subscriber' | 'result'>;
  deliveryFailures: Counter<'type' | 'subscriber' | 'kind'>;
  deadLettered: Counter<'type' | 'subscriber'>;
  inboxEvents: Counter<'type' | 'result'>;
}

const created = new WeakMap<Registry, EventMetrics>();

/**
 * The backbone's metrics on the service's registry, created once per registry
 * (a relay, an inbox and a second relay in one process share them).
 */
export function eventMetrics(registry: Registry): EventMetrics {
  const existing = created.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: EventMetrics = {
    backlog: new Gauge({
      name: 'outbox_backlog',
      help: 'Event deliveries not yet made, by event type and subscriber (refreshed by the relay).',
      labelNames: ['type', 'subscriber'] as const,
      registers,
    }),
    oldestPendingSeconds: new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest delivery still pending, by subscriber: a stuck consumer shows here first.',
      labelNames: ['subscriber'] as const,
      registers,
    }),
    deadLetters: new Gauge({
      name: 'outbox_dead_letters',
      help: 'Deliveries currently dead-lettered (waiting for a replay), by event type and subscriber.',
      labelNames: ['type', 'subscriber'] as const,
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'outbox_delivery_attempts_total',
      help: 'Delivery attempts by event type, subscriber and result (delivered, failed).',
      labelNames: ['type', 'subscriber', 'result'] as const,
      registers,
    }),
    deliveryFailures: new Counter({
      name: 'outbox_delivery_failures_total',
      help: 'Failed delivery attempts by kind: network, timeout, server (retried) or rejected (permanent).',
      labelNames: ['type', 'subscriber', 'kind'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'outbox_dead_lettered_total',
      help: 'Deliveries moved to the dead-letter state, by event type and subscriber.',
      labelNames: ['type', 'subscriber'] as const,
      registers,
    }),
    inboxEvents: new Counter({
      name: 'inbox_events_total',
      help: 'Events received on /internal/events by type and result (processed, duplicate, rejected, failed).',
      labelNames: ['type', 'result'] as const,
      registers,
    }),
  };
  created.set(registry, metrics);
  return metrics;
}
