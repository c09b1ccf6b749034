import { setTimeout as sleep } from 'node:timers/promises';
import { type EventEnvelope, isSecretEventType } from '@bonding/contracts';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { context, propagation, SpanKind } from '@opentelemetry/api';
import { type Selectable, sql } from 'kysely';
import type { Logger } from 'pino';
import { type BackoffSettings, retryDelayMs } from '../../backoff.js';
import { runUntraced } from '../../tracing/untraced.js';
import { type AnyDatabase, eventTables, type OutboxTable } from '../tables.js';
import { inStoredTrace } from '../trace-context.js';
import { HEADERS, privateStreamOf, subjectOf } from './subjects.js';

/** A committed outbox row, as the publisher reads it. */
export type OutboxEvent = Omit<Selectable<OutboxTable>, 'fanned_out_at' | 'created_at'>;

export interface PublishTarget {
  js: JetStreamClient;
  /** The platform's stream; a secret type goes to its private stream (privateStreamOf) instead. */
  stream: string;
  prefix: string;
  /** The producing service: the subject's second token and the envelope's source. */
  source: string;
  timeoutMs: number;
}

/**
 * Publishes one outbox event: its envelope on its partition's subject, with the event id as Nats-Msg-Id
 * (the stream drops a second copy within its duplicate window; beyond it the consumer's inbox does) and
 * the trace context in headers. Resolves once the stream has stored it (its PubAck). A secret type (one
 * carrying a one-time code) goes under the private root, to the private stream.
 */
export function publishOutboxEvent(target: PublishTarget, event: OutboxEvent): Promise<PubAck> {
  const envelope: EventEnvelope = {
    id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: event.occurred_at.toISOString(),
    source: target.source,
    data: JSON.parse(event.payload) as Record<string, unknown>,
  };
  const subject = subjectOf(target.prefix, target.source, event.type, event.aggregate_key);
  const attributes = {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.message.id': event.id,
  };
  // A `publish <type>` span under the request that caused the event; its context travels in the headers,
  // so the consumer's handling joins the same trace. With tracing off the stored context goes on as is.
  return inStoredTrace(event, `publish ${event.type}`, SpanKind.PRODUCER, attributes, () => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const headers = natsHeaders();
    headers.set(HEADERS.version, String(event.version));
    headers.set(HEADERS.aggregate, event.aggregate_key);
    const traceparent = carrier.traceparent ?? event.traceparent;
    const tracestate = carrier.traceparent ? carrier.tracestate : event.tracestate;
    if (traceparent) headers.set(HEADERS.traceparent, traceparent);
    if (tracestate) headers.set(HEADERS.tracestate, tracestate);
    return target.js.publish(subject, JSON.stringify(envelope), {
      msgID: event.id,
      headers,
      timeout: target.timeoutMs,
      expect: {
        streamName: isSecretEventType(event.type) ? privateStreamOf(target.stream) : target.stream,
      },
    });
  });
}

export interface OutboxPublisherSettings {
  pollIntervalMs: number;
  /** Events read per round; at most one of each aggregate is published per round. */
  batchSize: number;
  /** How long one publish waits for the stream's acknowledgement. */
  publishTimeoutMs: number;
  /** Pause after a failed round: doubles from base to max while NATS stays away. */
  backoff: BackoffSettings;
}

export const defaultPublisherSettings: OutboxPublisherSettings = {
  pollIntervalMs: 200,
  batchSize: 200,
  publishTimeoutMs: 5_000,
  backoff: { baseMs: 500, maxMs: 30_000 },
};

export interface OutboxPublisherOptions extends Omit<PublishTarget, 'timeoutMs'> {
  db: AnyDatabase;
  /** Scopes the publishing lock to this service's database. */
  databaseName: string;
  logger: Logger;
  settings?: Partial<OutboxPublisherSettings>;
}

export interface RoundResult {
  published: number;
  failed: number;
  /** Another replica held the lock this round. */
  skipped: boolean;
}

/**
 * Publishes the outbox to JetStream: the events committed with the changes they announce, each marked
 * published (`fanned_out_at`, the column's name from the former HTTP fan-out) once the stream has it.
 *
 * Order: one replica publishes at a time (a named lock; the others skip the round), reading in `seq`
 * order, which is an aggregate's commit order (emitEvent). A round sends at most one event per aggregate
 * and waits for every acknowledgement before the next round, so a failed publish is retried before any
 * later event of its aggregate goes, while other aggregates' events go on.
 *
 * NATS down: the publish times out, the round counts as failed, and the loop pauses with backoff; the
 * service keeps answering (it only writes its outbox) and the loop catches up once NATS is back. A crash
 * between the stream's acknowledgement and marking the row re-publishes it: the stream drops it by its
 * Nats-Msg-Id, or past the duplicate window the consumer's inbox does.
 */
export class OutboxPublisher {
  readonly #options: OutboxPublisherOptions;
  readonly #settings: OutboxPublisherSettings;
  readonly #lockName: string;
  #stopping: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #round: Promise<RoundResult> | undefined;

  constructor(options: OutboxPublisherOptions) {
    this.#options = options;
    this.#settings = { ...defaultPublisherSettings, ...options.settings };
    this.#lockName = `bonding_publish:${options.databaseName}`.slice(0, 64);
  }

  start(): void {
    if (this.#loop) return;
    this.#stopping = new AbortController();
    this.#loop = this.#run(this.#stopping.signal);
  }

  /** Stops the loop and waits for the round in progress (bounded by the publish timeout). */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    await this.#loop;
    await this.#round?.catch(() => undefined);
    this.#loop = undefined;
  }

  /** One round now (tests, tools); rejects when publishing failed. */
  runOnce(): Promise<RoundResult> {
    this.#round ??= this.#publishRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  /** Rounds back to back while they publish, every poll interval when idle, with backoff while failing. */
  async #run(signal: AbortSignal): Promise<void> {
    const { logger } = this.#options;
    let failures = 0;
    while (!signal.aborted) {
      let delay: number;
      try {
        const result = await runUntraced(() => this.runOnce());
        if (failures > 0) logger.info({ after: failures }, 'publishing to NATS works again');
        failures = result.failed > 0 ? failures + 1 : 0;
        delay =
          failures > 0
            ? retryDelayMs(failures, this.#settings.backoff)
            : result.published > 0
              ? 0
              : this.#settings.pollIntervalMs;
      } catch (error) {
        failures += 1;
        delay = retryDelayMs(failures, this.#settings.backoff);
        // Once per outage at warn level, then quietly: NATS or the database is away and may stay away.
        const log = failures === 1 ? logger.warn : logger.debug;
        log.call(
          logger,
          { err: error, retryInMs: delay, failures },
          'publishing the outbox failed; will retry',
        );
      }
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }

  async #publishRound(): Promise<RoundResult> {
    const { db } = this.#options;
    return eventTables(db)
      .connection()
      .execute(async (connection) => {
        const { rows } = await sql<{
          locked: number | null;
        }>`SELECT GET_LOCK(${this.#lockName}, 0) AS locked`.execute(connection);
        if (Number(rows[0]?.locked) !== 1) return { published: 0, failed: 0, skipped: true };
        try {
          const events: OutboxEvent[] = await connection
            .selectFrom('outbox')
            .selectAll()
            .where('fanned_out_at', 'is', null)
            .orderBy('seq')
            .limit(this.#settings.batchSize)
            .execute();
          // The first (oldest) event of each aggregate only: a later one waits for the next round.
          const seen = new Set<string>();
          const batch = events.filter((event) => {
            if (seen.has(event.aggregate_key)) return false;
            seen.add(event.aggregate_key);
            return true;
          });
          const target = { ...this.#options, timeoutMs: this.#settings.publishTimeoutMs };
          const outcomes = await Promise.allSettled(batch.map((event) => publishOutboxEvent(target, event)));
          const published = batch
            .filter((_, i) => outcomes[i]?.status === 'fulfilled')
            .map((event) => event.seq);
          if (published.length > 0) {
            await connection
              .updateTable('outbox')
              .set({ fanned_out_at: sql<Date>`NOW(3)` })
              .where('seq', 'in', published)
              .execute();
          }
          const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
          if (failures.length > 0 && published.length === 0) {
            throw (failures[0] as PromiseRejectedResult).reason;
          }
          return { published: published.length, failed: failures.length, skipped: false };
        } finally {
          await sql`SELECT RELEASE_LOCK(${this.#lockName})`.execute(connection);
        }
      });
  }
}
