import type { JetStreamClient } from '@nats-io/jetstream';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { runUntraced } from '../../tracing/untraced.js';
import { type BackoffSettings, retryDelayMs } from '../backoff.js';
import { type AnyDatabase, eventTables } from '../tables.js';
import { type OutboxEvent, publishOutboxEvent } from './publish.js';

export interface OutboxPublisherSettings {
  pollIntervalMs: number;
  /** Events read per round; at most one of each aggregate is published per round (see round()). */
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

export interface OutboxPublisherOptions {
  db: AnyDatabase;
  /** Scopes the publishing lock to this service's database. */
  databaseName: string;
  /** The producing service. */
  source: string;
  js: JetStreamClient;
  stream: string;
  prefix: string;
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
 * Publishes the outbox to JetStream: the events committed with the changes they announce, each once the
 * stream has stored it marked as gone (`fanned_out_at`, the column the HTTP fan-out sets: no migration,
 * and the purge then removes published events as it removes fanned-out ones).
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
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<RoundResult> | undefined;
  #failures = 0;

  constructor(options: OutboxPublisherOptions) {
    this.#options = options;
    this.#settings = { ...defaultPublisherSettings, ...options.settings };
    this.#lockName = `bonding_publish:${options.databaseName}`.slice(0, 64);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the loop and waits for the round in progress (bounded by the publish timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#round?.catch(() => undefined);
  }

  /** One round now (tests, tools); rejects when publishing failed. */
  runOnce(): Promise<RoundResult> {
    this.#round ??= this.#publishRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void runUntraced(() => this.runOnce()).then(
        (result) => {
          if (this.#failures > 0) {
            this.#options.logger.info({ after: this.#failures }, 'publishing to NATS works again');
          }
          this.#failures = result.failed > 0 ? this.#failures + 1 : 0;
          const full = result.published + result.failed >= this.#settings.batchSize || result.published > 0;
          this.#schedule(
            result.failed > 0
              ? retryDelayMs(this.#failures, this.#settings.backoff)
              : full
                ? 0
                : this.#settings.pollIntervalMs,
          );
        },
        (error: unknown) => {
          this.#failures += 1;
          const delay = retryDelayMs(this.#failures, this.#settings.backoff);
          // Once per outage at warn level, then quietly: NATS or the database is away and may stay away.
          const log = this.#failures === 1 ? this.#options.logger.warn : this.#options.logger.debug;
          log.call(
            this.#options.logger,
            { err: error, retryInMs: delay, failures: this.#failures },
            'publishing the outbox failed; will retry',
          );
          this.#schedule(delay);
        },
      );
    }, delayMs);
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
            .select([
              'seq',
              'id',
              'type',
              'version',
              'aggregate_key',
              'payload',
              'occurred_at',
              'traceparent',
              'tracestate',
            ])
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
          const target = {
            js: this.#options.js,
            stream: this.#options.stream,
            prefix: this.#options.prefix,
            source: this.#options.source,
            timeoutMs: this.#settings.publishTimeoutMs,
          };
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
