import type { EventEnvelope } from '@bonding/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { runUntraced } from '../tracing/untraced.js';
import { type BackoffSettings, retryDelayMs } from './backoff.js';
import {
  type ClaimedDelivery,
  claimDeliveries,
  markDead,
  markDelivered,
  scheduleRetry,
  subscribersWithDueDeliveries,
} from './deliveries.js';
import { fanOutEvents } from './fan-out.js';
import { refreshOutboxGauges } from './gauges.js';
import { type EventMetrics, eventMetrics } from './metrics.js';
import type { Subscriber } from './subscribers.js';
import type { AnyDatabase } from './tables.js';
import { continueStoredTrace, markSpanFailed } from './trace-context.js';
import type { DeliveryResult, EventTransport } from './transport.js';

export interface RelaySettings extends BackoffSettings {
  pollIntervalMs: number;
  deliveryTimeoutMs: number;
  maxAttempts: number;
  /** Deliveries in flight at once; one subscriber may use at most half (at least one). */
  concurrency: number;
  /** How often the backlog gauges are re-read. */
  gaugeIntervalMs?: number;
}

export interface OutboxRelayOptions {
  db: AnyDatabase;
  /** Scopes the fan-out lock to this service's database. */
  databaseName: string;
  /** The producing service, named in every envelope. */
  source: string;
  subscribers: readonly Subscriber[];
  transport: EventTransport;
  logger: Logger;
  registry: Registry;
  settings: RelaySettings;
  random?: () => number;
}

/** Extra time a lease outlives the delivery timeout, so a slow answer is never raced by another relay. */
const LEASE_MARGIN_MS = 15_000;

/**
 * Delivers the outbox. Each tick fans new events out to their subscribers and
 * leases due deliveries (see claimDeliveries); each delivery then runs on its
 * own, so a slow subscriber holds its own slots and nobody else's. Failures
 * back off exponentially with jitter; a permanent refusal, or running out of
 * attempts, dead-letters the delivery. Safe with any number of replicas.
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  readonly #metrics: EventMetrics;
  readonly #subscribers: Map<string, Subscriber>;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #inFlightBySubscriber = new Map<string, number>();
  readonly #stopping = new AbortController();
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #lastGauges = 0;
  #rotation = 0;
  /** The last round filled every slot it had: more may be due right now. */
  #moreDue = false;
  /** Work was due but every slot was taken: a finishing delivery should start the next round. */
  #waitingForSlots = false;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#metrics = eventMetrics(options.registry);
    this.#subscribers = new Map(options.subscribers.map((s) => [s.name, s]));
  }

  get #perSubscriberLimit(): number {
    return this.#subscribers.size <= 1
      ? this.#options.settings.concurrency
      : Math.max(1, Math.floor(this.#options.settings.concurrency / 2));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops claiming, waits (bounded) for deliveries in flight, then aborts the rest; their leases lapse. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#tick;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
    clearTimeout(timer);
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Resolves once nothing is in flight (tests, the CLI). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** One fan-out and claim round, then waits for what it started (tests, the CLI). */
  async runOnce(): Promise<void> {
    await this.tick();
    await this.drain();
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void runUntraced(() => this.tick()).finally(() => {
        const again = this.#moreDue ? 0 : this.#options.settings.pollIntervalMs;
        this.#schedule(again);
      });
    }, delayMs);
  }

  /** Fans out and claims once; deliveries it starts keep running after it returns. */
  tick(): Promise<void> {
    this.#tick ??= this.#claimRound()
      .catch((error: unknown) => {
        this.#options.logger.error({ err: error }, 'outbox relay round failed');
      })
      .finally(() => {
        this.#tick = undefined;
      });
    return this.#tick;
  }

  async #claimRound(): Promise<void> {
    const { db, databaseName, settings } = this.#options;
    this.#moreDue = false;
    this.#waitingForSlots = false;
    await fanOutEvents(db, `bonding_outbox:${databaseName}`.slice(0, 64), [...this.#subscribers.values()]);
    const due = (await subscribersWithDueDeliveries(db)).filter((name) => this.#subscribers.has(name));
    // Rotate which subscriber claims first, so none is always served last.
    this.#rotation = (this.#rotation + 1) % Math.max(due.length, 1);
    const ordered = [...due.slice(this.#rotation), ...due.slice(0, this.#rotation)];
    for (const name of ordered) {
      const free = Math.min(
        settings.concurrency - this.#inFlight.size,
        this.#perSubscriberLimit - (this.#inFlightBySubscriber.get(name) ?? 0),
      );
      if (free <= 0) {
        this.#waitingForSlots = true;
        continue;
      }
      const claimed = await claimDeliveries(db, name, free, settings.deliveryTimeoutMs + LEASE_MARGIN_MS);
      if (claimed.length === free) this.#moreDue = true;
      for (const delivery of claimed) this.#start(delivery);
    }
    if (Date.now() - this.#lastGauges >= (settings.gaugeIntervalMs ?? 10_000)) {
      this.#lastGauges = Date.now();
      await refreshOutboxGauges(db, this.#metrics);
    }
  }

  #start(delivery: ClaimedDelivery): void {
    const name = delivery.subscriber;
    this.#inFlightBySubscriber.set(name, (this.#inFlightBySubscriber.get(name) ?? 0) + 1);
    const running: Promise<void> = this.#deliver(delivery)
      .catch((error: unknown) => {
        // The outcome could not be recorded (database gone): the lease lapses and another attempt follows.
        this.#options.logger.error(
          { err: error, eventId: delivery.event.id, subscriber: name },
          'could not record a delivery outcome',
        );
      })
      .finally(() => {
        this.#inFlight.delete(running);
        this.#inFlightBySubscriber.set(name, (this.#inFlightBySubscriber.get(name) ?? 1) - 1);
        // Slots opened while more was waiting: claim again now rather than after the poll interval, once
        // half of this subscriber's slots are free. A round per finished delivery would cost more
        // statements (fan-out, due subscribers, the claim) than the delivery it refills.
        const free = this.#perSubscriberLimit - (this.#inFlightBySubscriber.get(name) ?? 0);
        const refill = free >= Math.ceil(this.#perSubscriberLimit / 2);
        if ((this.#waitingForSlots || this.#moreDue) && refill && this.#running && !this.#tick)
          this.#schedule(0);
      });
    this.#inFlight.add(running);
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const { event } = delivery;
    const subscriber = this.#subscribers.get(delivery.subscriber) as Subscriber;
    const envelope: EventEnvelope = {
      id: event.id,
      type: event.type,
      version: event.version,
      occurredAt: event.occurredAt.toISOString(),
      source: this.#options.source,
      data: JSON.parse(event.payload) as Record<string, unknown>,
    };
    const result = await continueStoredTrace(
      event,
      `deliver ${event.type}`,
      {
        'messaging.system': 'bonding-outbox',
        'messaging.destination.name': subscriber.name,
        'messaging.message.id': event.id,
      },
      async (span) => {
        const outcome = await this.#options.transport.deliver(subscriber, envelope, this.#stopping.signal);
        if (!outcome.ok) markSpanFailed(span, outcome.reason);
        return outcome;
      },
    );
    await this.#record(delivery, result);
  }

  async #record(delivery: ClaimedDelivery, result: DeliveryResult): Promise<void> {
    const { db, logger, settings } = this.#options;
    const labels = { type: delivery.event.type, subscriber: delivery.subscriber };
    const context = {
      eventId: delivery.event.id,
      type: delivery.event.type,
      version: delivery.event.version,
      subscriber: delivery.subscriber,
      attempts: delivery.attempts,
    };
    if (result.ok) {
      this.#metrics.deliveryAttempts.inc({ ...labels, result: 'delivered' });
      await markDelivered(db, delivery);
      logger.debug(context, 'event delivered');
      return;
    }
    if (result.kind === 'aborted') {
      // Shutting down: hand the delivery back at once instead of counting it as a failure.
      await scheduleRetry(db, delivery, 0, result.reason);
      return;
    }
    this.#metrics.deliveryAttempts.inc({ ...labels, result: 'failed' });
    this.#metrics.deliveryFailures.inc({ ...labels, kind: result.kind });
    if (result.permanent || delivery.attempts >= settings.maxAttempts) {
      const reason = result.permanent
        ? `refused by ${delivery.subscriber}: ${result.reason}`
        : `gave up after ${delivery.attempts} attempts: ${result.reason}`;
      this.#metrics.deadLettered.inc(labels);
      await markDead(db, delivery, reason);
      logger.error({ ...context, reason }, 'event dead-lettered');
      return;
    }
    const delayMs = Math.min(
      Math.max(retryDelayMs(delivery.attempts, settings, this.#options.random), result.retryAfterMs ?? 0),
      settings.maxMs,
    );
    await scheduleRetry(db, delivery, delayMs, result.reason);
    logger.warn(
      { ...context, reason: result.reason, retryInMs: delayMs },
      'event delivery failed; will retry',
    );
  }
}
