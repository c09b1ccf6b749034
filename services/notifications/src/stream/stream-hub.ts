import type { Logger, Principal, TokenDenylist } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { latestSequences, notificationsAfter } from '../db/notifications.js';
import type { NotificationRow, NotificationsDatabase } from '../db/schema.js';
import type { NotificationMetrics } from '../metrics.js';
import { toNotification } from '../routes/schemas.js';
import { sseComment, sseEvent } from './sse.js';

export interface StreamHubSettings {
  pollIntervalMs: number;
  heartbeatMs: number;
}

export interface StreamHubOptions {
  db: Kysely<NotificationsDatabase>;
  logger: Logger;
  metrics: NotificationMetrics;
  /** The service's token denylist: a disabled user's open streams end too, and an ended session's. */
  denylist: TokenDenylist;
  settings: StreamHubSettings;
  now: () => Date;
}

interface Connection {
  principal: Principal;
  /** The last sequence number sent. */
  cursor: number;
  controller: ReadableStreamDefaultController<Uint8Array>;
  closed: boolean;
}

/** Rows fetched per user per query; a longer backlog continues on the next pass. */
const BATCH = 100;
/** Users whose counters one query reads. */
const USERS_PER_QUERY = 500;
/** A client that has not read this much of what we sent is gone or stuck: its stream ends. */
const MAX_UNREAD_BYTES = 1024 * 1024;
/** EventSource waits this long before reconnecting. */
const RECONNECT_MS = 3000;

const encoder = new TextEncoder();

/**
 * The server-sent event streams open on this replica. Notifications may be
 * written by any replica (whichever received the event), so the hub does not
 * wait to be told: every poll interval it reads the counters of its connected
 * users — one primary-key lookup for all of them — and fetches rows only for
 * users whose counter moved past what their streams have shown. A
 * notification written on this replica wakes it at once.
 */
export class StreamHub {
  readonly #options: StreamHubOptions;
  readonly #byUser = new Map<string, Set<Connection>>();
  #pollTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #health: { readonly draining: boolean } = { draining: false };

  constructor(options: StreamHubOptions) {
    this.#options = options;
  }

  /**
   * The server's health state: once it is draining (shutdown began), streams
   * end at the next poll and clients resume on another replica, instead of
   * holding the shutdown until its timeout.
   */
  endWhenDraining(health: { readonly draining: boolean }): void {
    this.#health = health;
  }

  get openStreams(): number {
    let count = 0;
    for (const connections of this.#byUser.values()) count += connections.size;
    return count;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), this.#options.settings.heartbeatMs);
    this.#heartbeatTimer.unref();
    this.wake();
  }

  /** Ends every stream (clients reconnect elsewhere and resume) and stops polling. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
    clearInterval(this.#heartbeatTimer);
    await this.#polling;
    for (const connections of this.#byUser.values()) for (const c of connections) this.#close(c);
  }

  /** Polls now: a notification was just written on this replica. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#pollTimer);
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
      if (this.#stopped) return;
      const delay = this.#again ? 0 : this.#options.settings.pollIntervalMs;
      this.#again = false;
      this.#pollTimer = setTimeout(() => this.wake(), delay);
      this.#pollTimer.unref();
    });
  }

  /**
   * Opens a stream for the user. Without `lastEventId` it shows what is
   * written from now on; with it, first everything after that sequence number.
   */
  async open(principal: Principal, lastEventId: number | undefined): Promise<ReadableStream<Uint8Array>> {
    const latest = (await latestSequences(this.#options.db, [principal.userId])).get(principal.userId) ?? 0;
    // An id from the future (another user's, or made up) must not hide what comes next.
    const cursor = lastEventId === undefined ? latest : Math.min(lastEventId, latest);
    let connection: Connection | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          connection = { principal, cursor, controller, closed: false };
          const own = this.#byUser.get(principal.userId) ?? new Set<Connection>();
          own.add(connection);
          this.#byUser.set(principal.userId, own);
          this.#options.metrics.streamsOpen.inc();
          this.#write(connection, `retry: ${RECONNECT_MS}\n${sseComment('connected')}`);
        },
        cancel: () => {
          if (connection) this.#close(connection);
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
    if (cursor < latest) this.wake();
    return stream;
  }

  async #poll(): Promise<void> {
    try {
      this.#endStreamsThatMayNotContinue();
      const users = [...this.#byUser.keys()];
      for (let i = 0; i < users.length; i += USERS_PER_QUERY) {
        const latest = await latestSequences(this.#options.db, users.slice(i, i + USERS_PER_QUERY));
        for (const [userId, sequence] of latest) {
          const lowest = this.#lowestCursor(userId);
          if (lowest !== undefined && sequence > lowest) await this.#catchUp(userId, lowest);
        }
      }
    } catch (error) {
      this.#options.logger.warn(
        { errorCode: (error as { code?: string }).code },
        'stream poll failed; will retry',
      );
    }
  }

  async #catchUp(userId: string, after: number): Promise<void> {
    const rows = await notificationsAfter(this.#options.db, userId, after, BATCH);
    for (const row of rows) this.#dispatch(userId, row);
    if (rows.length === BATCH) this.#again = true;
  }

  #dispatch(userId: string, row: NotificationRow): void {
    const sequence = Number(row.seq);
    const frame = sseEvent({ id: String(sequence), event: 'notification', data: toNotification(row) });
    for (const connection of this.#byUser.get(userId) ?? []) {
      if (connection.cursor >= sequence) continue;
      connection.cursor = sequence;
      this.#write(connection, frame);
    }
  }

  #lowestCursor(userId: string): number | undefined {
    let lowest: number | undefined;
    for (const connection of this.#byUser.get(userId) ?? []) {
      if (lowest === undefined || connection.cursor < lowest) lowest = connection.cursor;
    }
    return lowest;
  }

  /** Streams outlive neither the token they were opened with, nor the user's access, nor this replica. */
  #endStreamsThatMayNotContinue(): void {
    const { denylist, now } = this.#options;
    const health = this.#health;
    const nowSeconds = now().getTime() / 1000;
    for (const connections of this.#byUser.values()) {
      for (const connection of connections) {
        if (health.draining) this.#close(connection);
        else if (denylist.refusal(connection.principal)) this.#close(connection);
        else if (connection.principal.expiresAt <= nowSeconds) {
          this.#write(connection, sseEvent({ event: 'expired', data: { reason: 'token_expired' } }));
          this.#close(connection);
        }
      }
    }
  }

  #heartbeat(): void {
    for (const connections of this.#byUser.values()) {
      for (const connection of connections) this.#write(connection, sseComment('heartbeat'));
    }
  }

  #write(connection: Connection, text: string): void {
    if (connection.closed) return;
    if ((connection.controller.desiredSize ?? 0) < -MAX_UNREAD_BYTES) {
      this.#options.logger.info(
        { userId: connection.principal.userId },
        'stream client is not reading; ended',
      );
      this.#close(connection, new Error('the client stopped reading'));
      return;
    }
    try {
      connection.controller.enqueue(encoder.encode(text));
    } catch {
      this.#close(connection);
    }
  }

  /** Ends a stream: cleanly, or (with a reason) at once, dropping what the client has not read. */
  #close(connection: Connection, abort?: Error): void {
    if (connection.closed) return;
    connection.closed = true;
    try {
      if (abort) connection.controller.error(abort);
      else connection.controller.close();
    } catch {
      // already closed or cancelled by the client
    }
    const own = this.#byUser.get(connection.principal.userId);
    own?.delete(connection);
    if (own?.size === 0) this.#byUser.delete(connection.principal.userId);
    this.#options.metrics.streamsOpen.dec();
  }
}
