import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConnectionOptions, connect, type NatsConnection } from '@nats-io/transport-node';
import { retryDelayMs } from '../../backoff.js';

/**
 * How a client proves itself to NATS (NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE): the nats.js client
 * ignores credentials written into the URL, so they come separately. A CA file makes the client verify
 * the server's certificate against it (the chart's `tls://` URL with `nats.tls.enabled`).
 */
export interface NatsAuth {
  user?: string | undefined;
  password?: string | undefined;
  tlsCaFile?: string | undefined;
}

/** The connection options for `auth`: user and password when a user is given, TLS with the CA when a file is. */
export function natsAuthOptions(auth: NatsAuth = {}): Partial<ConnectionOptions> {
  const options: Partial<ConnectionOptions> = {};
  if (auth.user) {
    options.user = auth.user;
    options.pass = auth.password ?? '';
  }
  if (auth.tlsCaFile) options.tls = { ca: readFileSync(auth.tlsCaFile, 'utf8') };
  return options;
}

/**
 * A service's reply subjects: `_INBOX_<service>.…` instead of the shared `_INBOX.…`. Everything JetStream
 * answers (publish acks, API replies, and the messages a pull consumer fetches) comes to the client's
 * inbox, so with one prefix for all, any user allowed to subscribe to `_INBOX.>` could read what another
 * service pulls, one-time codes included. The chart's users may each subscribe to their own prefix only
 * (platform/generate/chart-nats.ts).
 */
export function inboxPrefixOf(service: string): string {
  return `_INBOX_${service}`;
}

/**
 * A connection that never gives up: when the server goes away the client keeps reconnecting (and holds
 * what is published meanwhile until its publish times out), so a service outlives a NATS restart without
 * restarting itself. The first connection waits for a server that is not up yet, unless told not to
 * (a caller with its own loop, which can give up when stopped).
 */
export function connectNats(
  url: string,
  name: string,
  {
    waitOnFirstConnect = true,
    auth,
    inboxPrefix,
  }: { waitOnFirstConnect?: boolean; auth?: NatsAuth; inboxPrefix?: string } = {},
): Promise<NatsConnection> {
  return connect({
    ...natsAuthOptions(auth),
    servers: url.split(',').map((server) => server.trim()),
    name,
    ...(inboxPrefix ? { inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect,
    // Pings find a half-open connection (a server that vanished without closing it) within about 30 s.
    pingInterval: 10_000,
    maxPingOut: 3,
  });
}

/**
 * The first connection, tried again with backoff until it works or `cancel()` is called: a service must
 * start, take requests and stop while NATS is away. Once connected the client reconnects on its own.
 */
export function connectWhenReachable(
  url: string,
  name: string,
  options: { auth?: NatsAuth | undefined; inboxPrefix?: string },
  onFailure: (error: unknown, attempt: number, retryInMs: number) => void,
): { connection: Promise<NatsConnection | undefined>; cancel(): void } {
  const cancelled = new AbortController();
  const connection = (async () => {
    for (let attempt = 1; !cancelled.signal.aborted; attempt++) {
      try {
        const nc = await connectNats(url, name, { ...options, waitOnFirstConnect: false });
        if (!cancelled.signal.aborted) return nc;
        await nc.close();
      } catch (error) {
        const retryInMs = retryDelayMs(attempt, { baseMs: 250, maxMs: 10_000 });
        onFailure(error, attempt, retryInMs);
        await sleep(retryInMs, undefined, { signal: cancelled.signal }).catch(() => undefined);
      }
    }
    return undefined;
  })();
  return { connection, cancel: () => cancelled.abort() };
}
