import { setTimeout as sleep } from 'node:timers/promises';
import { type EventEnvelope, eventContracts } from '@bonding/contracts';
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { SpanKind } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type BackoffSettings, retryDelayMs } from '../../backoff.js';
import { inReadCommitted } from '../../db/deadlock-retry.js';
import { DomainError } from '../../errors.js';
import { type EventHandlers, refusalOf } from '../event-handlers.js';
import { acceptEvent, applyEvent, applyInInbox, parseEnvelope, runAfterCommit } from '../inbox.js';
import { type EventMetrics, eventMetrics } from '../metrics.js';
import { subscribesTo } from '../subscribers.js';
import { inStoredTrace } from '../trace-context.js';
import {
  isBlocked,
  type LetterInput,
  parkEvent,
  recordDeadLetter,
  tablesOf,
  UNRESOLVED_STATUSES,
} from './dead-letters.js';
import { type Durable, durablesOf, HEADERS } from './subjects.js';

export interface JetStreamConsumerSettings {
  /** Handler attempts before the event becomes a dead letter (EVENT_MAX_ATTEMPTS; max_deliver is a little more). */
  maxAttempts: number;
  /** The nak delay after a failed attempt: doubling from base to max, with jitter. */
  retry: BackoffSettings;
  /** The durables' ack wait (as provisioned): a handler slower than half of it says it is still working. */
  ackWaitMs: number;
  /** How long one pull waits for a message before asking again. */
  pullExpiresMs: number;
  /** How often the replay pass looks for aggregates an operator released. */
  replayIntervalMs: number;
  /** Pause before trying NATS or the database again after it failed us. */
  reconnectBackoff: BackoffSettings;
  /** How often the gauges (durables' pending events, dead letters) are re-read, with a registry. */
  gaugeIntervalMs: number;
}

export const defaultConsumerSettings: JetStreamConsumerSettings = {
  maxAttempts: 20,
  retry: { baseMs: 1_000, maxMs: 10 * 60_000 },
  ackWaitMs: 15_000,
  pullExpiresMs: 5_000,
  replayIntervalMs: 2_000,
  reconnectBackoff: { baseMs: 250, maxMs: 10_000 },
  gaugeIntervalMs: 10_000,
};

export interface JetStreamConsumerOptions<DB> {
  /** The consuming service: its durables' name and its dead letters' `consumer`. */
  service: string;
  js: JetStreamClient;
  /** The platform's stream (NATS_STREAM); secret types are read from its private stream. */
  stream: string;
  /** Its subscriptions (EVENT_SUBSCRIPTIONS): which durables it pulls, and which events it applies. */
  patterns: readonly string[];
  db: Kysely<DB>;
  handlers: EventHandlers<DB>;
  logger: Logger;
  registry?: Registry;
  settings?: Partial<JetStreamConsumerSettings>;
}

/**
 * Pulls this service's durables (one loop per partition) and applies each event with the inbox: in one
 * transaction the aggregate's block is checked (a dead letter ahead of it parks the event instead), the
 * event id is recorded and the handler runs; then the message is acked. The durable hands out the next
 * event of the partition only after that ack (max_ack_pending 1), so events apply in stream order.
 *
 * - A failed attempt naks with backoff; the partition waits (an aggregate's later event may not overtake).
 * - The last attempt failing, or a permanent refusal (no handler for the version, data against the
 *   contract, EventRejected), writes a dead letter and blocks its aggregate, then acks: the partition's
 *   other aggregates move on, this one's later events are parked until an operator replays or discards.
 * - Events the service did not subscribe to (a data filter, or the broad filter of a 2.9 server) are
 *   acked and skipped.
 * - Any number of replicas pull the same durables; each event goes to one of them at a time.
 */
export class JetStreamConsumer<DB> {
  readonly #options: JetStreamConsumerOptions<DB>;
  readonly #settings: JetStreamConsumerSettings;
  readonly #durables: Durable[];
  readonly #keys: string[];
  readonly #metrics: EventMetrics | undefined;
  #lastGauges = 0;
  readonly #loops: Promise<void>[] = [];
  readonly #handling = new Set<Promise<unknown>>();
  #stopping: AbortController | undefined;
  #replayLoop: Promise<void> | undefined;

  constructor(options: JetStreamConsumerOptions<DB>) {
    this.#options = options;
    this.#settings = { ...defaultConsumerSettings, ...options.settings };
    this.#durables = durablesOf(options.service, options.patterns, options.stream);
    this.#keys = Object.keys(options.handlers).filter((key) => options.handlers[key as never]);
    this.#metrics = options.registry ? eventMetrics(options.registry) : undefined;
  }

  get #running(): boolean {
    return this.#stopping?.signal.aborted === false;
  }

  start(): void {
    if (this.#running) return;
    this.#stopping = new AbortController();
    // A subscribed type without a handler would dead-letter (and block) every such event: say so now. By
    // type alone: a data filter narrows which events come, not which versions need a handler.
    const unhandled = eventContracts
      .filter((contract) => !this.#keys.includes(contract.key))
      .filter((contract) => subscribesTo(this.#options.patterns, { type: contract.type, data: () => ({}) }))
      .map((contract) => contract.key);
    if (unhandled.length > 0) {
      this.#options.logger.warn(
        { unhandled },
        'subscribed event versions without a handler: each would become a dead letter and hold its aggregate',
      );
    }
    for (const durable of this.#durables) this.#loops.push(this.#pullLoop(durable));
    this.#replayLoop = this.#replayReleased(this.#stopping.signal);
  }

  /** Stops pulling and waits for the events being applied; a message pulled meanwhile is given back (nak). */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    await Promise.allSettled([...this.#handling]);
    await this.#replayLoop;
  }

  /** Waits until the pull loops have ended (after stop(); a pull ends within pullExpiresMs). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.#loops);
  }

  async #pullLoop({ stream, durable }: Durable): Promise<void> {
    const { js, logger } = this.#options;
    let consumer: Consumer | undefined;
    let failures = 0;
    while (this.#running) {
      try {
        consumer ??= await js.consumers.get(stream, durable);
        const msg = await consumer.next({ expires: this.#settings.pullExpiresMs });
        failures = 0;
        if (!msg) continue;
        if (!this.#running) {
          msg.nak();
          break;
        }
        // A handler slower than the ack wait says it is still working, so no other replica gets the event.
        const heartbeat = setInterval(() => msg.working(), Math.max(this.#settings.ackWaitMs / 2, 100));
        const handling = this.#handle(msg).finally(() => clearInterval(heartbeat));
        this.#handling.add(handling);
        await handling.finally(() => this.#handling.delete(handling));
      } catch (error) {
        failures += 1;
        const retryInMs = retryDelayMs(failures, this.#settings.reconnectBackoff);
        const log = failures === 1 ? logger.warn : logger.debug;
        log.call(logger, { err: error, durable, retryInMs }, 'pulling from JetStream failed; will retry');
        if (failures > 3) consumer = undefined;
        await sleep(retryInMs);
      }
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const { logger, service } = this.#options;
    const deliveries = msg.info.deliveryCount;
    const envelope = parseEnvelope(msg.string());
    if (!envelope) {
      // Nothing to apply or even to file by type: the body is not an event.
      logger.error(
        { subject: msg.subject, streamSeq: msg.seq },
        'a message on the events stream is not an event',
      );
      msg.term('not an event envelope');
      return;
    }
    const aggregateKey = msg.headers?.get(HEADERS.aggregate) || msg.subject;
    const trace = {
      traceparent: msg.headers?.get(HEADERS.traceparent) || null,
      tracestate: msg.headers?.get(HEADERS.tracestate) || null,
    };
    const letter = (reason: string | null): LetterInput => ({
      consumer: service,
      envelope,
      aggregateKey,
      streamSeq: msg.seq,
      deliveries,
      reason,
      ...trace,
    });
    const eventLogger = logger.child({
      eventId: envelope.id,
      eventType: `${envelope.type}@${envelope.version}`,
    });
    const count = (result: string) => this.#metrics?.inboxEvents.inc({ type: envelope.type, result });

    if (!subscribesTo(this.#options.patterns, { type: envelope.type, data: () => envelope.data })) {
      return this.#confirmAck(msg);
    }
    const accepted = acceptEvent(envelope, this.#keys);
    if (!accepted.ok) return this.#deadLetter(msg, letter(accepted.reason), eventLogger);
    if (deliveries > this.#settings.maxAttempts) {
      // Delivered again after the last attempt never answered (the process died during it).
      const reason = `gave up after ${deliveries - 1} attempts: the last ended without an answer`;
      return this.#deadLetter(msg, letter(reason), eventLogger);
    }

    try {
      const span = {
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.message.id': envelope.id,
        'messaging.source': envelope.source,
      };
      const aggregate = { consumer: service, source: envelope.source, aggregate_key: aggregateKey };
      const outcome = await inStoredTrace(trace, `process ${envelope.type}`, SpanKind.CONSUMER, span, () =>
        applyEvent(this.#options.db, this.#options.handlers, accepted.event, eventLogger, async (trx) => {
          if (!(await isBlocked(trx, aggregate))) return undefined;
          await parkEvent(trx, letter(null));
          return 'parked' as const;
        }),
      );
      await this.#confirmAck(msg);
      count(outcome);
      if (outcome === 'parked') eventLogger.warn('event parked behind a dead letter of its aggregate');
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal !== undefined) {
        count('rejected');
        return this.#deadLetter(msg, letter(refusal), eventLogger);
      }
      count('failed');
      const reason = describe(error);
      if (deliveries >= this.#settings.maxAttempts) {
        return this.#deadLetter(msg, letter(`gave up after ${deliveries} attempts: ${reason}`), eventLogger);
      }
      const retryInMs = retryDelayMs(deliveries, this.#settings.retry);
      eventLogger.warn({ reason, attempt: deliveries, retryInMs }, 'event handler failed; will retry');
      msg.nak(retryInMs);
    }
  }

  /**
   * Writes the dead letter (blocking its aggregate) and acks. While the database cannot take it, the
   * message stays in hand (working() keeps it ours) and the write is tried again: acking first would lose
   * the event, naking would spend deliveries the server counts.
   */
  async #deadLetter(msg: JsMsg, input: LetterInput, logger: Logger): Promise<void> {
    const recorded = await this.#retrying(
      () => recordDeadLetter(this.#options.db, input),
      (error) => {
        if (!this.#running) return false;
        logger.warn({ err: error }, 'could not record a dead letter; will retry');
        msg.working();
        return true;
      },
    );
    if (!recorded) return msg.nak();
    await this.#confirmAck(msg);
    logger.error(
      { reason: input.reason, deliveries: input.deliveries },
      'event dead-lettered; its aggregate waits',
    );
  }

  /**
   * Acks and waits for the server to confirm it. An ack lost with a NATS restart would otherwise hold the
   * partition until the ack wait runs out (the server still counts the message pending), so it is sent
   * again, after reconnecting, until confirmed or the ack wait has passed (the server then redelivers,
   * and the inbox makes that harmless).
   */
  async #confirmAck(msg: JsMsg): Promise<void> {
    const { ackWaitMs } = this.#settings;
    const deadline = Date.now() + ackWaitMs;
    await this.#retrying(
      async () => void (await msg.ackAck({ timeout: Math.min(2_000, ackWaitMs) })),
      (error) => {
        if (this.#running && Date.now() < deadline) return true;
        this.#options.logger.warn(
          { err: error, streamSeq: msg.seq },
          'ack not confirmed; the server will redeliver',
        );
        return false;
      },
    );
  }

  /** Runs `work` until it succeeds (true) or `again` declines another try (false), pausing with backoff. */
  async #retrying(work: () => Promise<void>, again: (error: unknown) => boolean): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return true;
      } catch (error) {
        if (!again(error)) return false;
        await sleep(retryDelayMs(attempt, this.#settings.reconnectBackoff));
      }
    }
  }

  // Replay: applying the letters of aggregates an operator released, in the order they were met.

  async #replayReleased(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#settings.replayIntervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        await this.replayOnce();
        await this.#refreshGauges();
      } catch (error) {
        this.#options.logger.error({ err: error }, 'dead-letter replay failed; will retry');
      }
    }
  }

  /** Re-reads the gauges: the letters from the database, each durable's info from the server. */
  async #refreshGauges(): Promise<void> {
    const gauges = this.#metrics;
    if (!gauges || Date.now() - this.#lastGauges < this.#settings.gaugeIntervalMs) return;
    this.#lastGauges = Date.now();
    const { js, db, service, logger } = this.#options;
    try {
      const rows = await tablesOf(db)
        .selectFrom('inbox_dead_letters')
        .select(['type', 'status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('consumer', '=', service)
        .where('status', 'in', UNRESOLVED_STATUSES)
        .groupBy(['type', 'status'])
        .execute();
      gauges.deadLetters.reset();
      for (const { type, status, n } of rows) gauges.deadLetters.set({ type, status }, Number(n));
      for (const { stream, durable } of this.#durables) {
        const info = await (await js.consumers.get(stream, durable)).info(false);
        gauges.pending.set({ durable }, info.num_pending + info.num_ack_pending);
      }
    } catch (error) {
      logger.debug({ err: error }, 'could not refresh the JetStream gauges');
    }
  }

  /** Applies the letters of every released aggregate of this service; returns how many it applied. */
  async replayOnce(): Promise<number> {
    const released = await tablesOf(this.#options.db)
      .selectFrom('inbox_blocked_aggregates')
      .select(['source', 'aggregate_key'])
      .where('consumer', '=', this.#options.service)
      .where('releasing', '=', 1)
      .limit(100)
      .execute();
    let applied = 0;
    for (const aggregate of released) applied += await this.#drain(aggregate.source, aggregate.aggregate_key);
    return applied;
  }

  /**
   * One letter per transaction, oldest first: lock the aggregate's block row, take the head letter; none
   * left → the block goes (later events apply directly again); a `dead` head → stop, waiting for an
   * operator; otherwise apply it through the inbox and mark it replayed. A head that fails becomes `dead`.
   */
  async #drain(source: string, aggregateKey: string): Promise<number> {
    const { service, db, logger } = this.#options;
    const aggregate = { consumer: service, source, aggregate_key: aggregateKey };
    // biome-ignore lint/suspicious/noExplicitAny: a database or transaction, typed by the kit's tables.
    const hold = (on: any) =>
      tablesOf(on)
        .updateTable('inbox_blocked_aggregates')
        .set({ releasing: 0 })
        .where((eb) => eb.and(aggregate));
    for (let applied = 0; ; applied++) {
      const afterCommit: Array<() => void> = [];
      let head: string | undefined;
      try {
        const step = await inReadCommitted(db, async (trx) => {
          afterCommit.length = 0; // only the effects of the attempt that commits
          const tables = tablesOf(trx);
          if (!(await isBlocked(trx, aggregate))) return 'done';
          // The order they were met in: within one durable that is stream order (one event in flight at a
          // time), and it also orders an aggregate's letters from the private stream, whose sequence
          // numbers cannot be compared with the main stream's.
          const next = await tables
            .selectFrom('inbox_dead_letters')
            .select(['id', 'status', 'envelope'])
            .where((eb) => eb.and(aggregate))
            .where('status', 'in', UNRESOLVED_STATUSES)
            .orderBy('id')
            .limit(1)
            .forUpdate()
            .executeTakeFirst();
          if (!next) {
            await tables
              .deleteFrom('inbox_blocked_aggregates')
              .where((eb) => eb.and(aggregate))
              .execute();
            return 'done';
          }
          if (next.status === 'dead') {
            await hold(trx).execute();
            return 'done';
          }
          head = String(next.id);
          const accepted = acceptEvent(JSON.parse(next.envelope) as EventEnvelope, this.#keys);
          if (!accepted.ok) throw new ReplayRefused(accepted.reason);
          await applyInInbox(trx, this.#options.handlers, accepted.event, logger, afterCommit);
          await tables
            .updateTable('inbox_dead_letters')
            .set({ status: 'replayed', updated_at: new Date() })
            .where('id', '=', head)
            .execute();
          return 'applied';
        });
        if (step === 'done') return applied;
        runAfterCommit(afterCommit, logger);
      } catch (error) {
        if (head === undefined) throw error;
        // The head failed again: it is the aggregate's dead letter now, waiting for the next fix.
        const reason = error instanceof ReplayRefused ? error.message : `replay failed: ${describe(error)}`;
        await tablesOf(db)
          .updateTable('inbox_dead_letters')
          .set({ status: 'dead', reason: reason.slice(0, 1000), updated_at: new Date() })
          .where('id', '=', head)
          .execute();
        await hold(db).execute();
        logger.error({ letter: head, reason }, 'dead-letter replay failed; it is dead again');
        return applied;
      }
    }
  }
}

class ReplayRefused extends Error {}

/** What may be logged and stored about a failure: database errors quote row values, so only their codes. */
function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code === 'string' && code.startsWith('ER_')) return code;
  if (error instanceof DomainError) return `${error.code}: ${error.detail ?? error.message}`;
  return (message ?? String(error)).slice(0, 500);
}
