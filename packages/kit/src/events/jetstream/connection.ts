import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * A connection that never gives up: when the server goes away the client keeps reconnecting (and holds
 * what is published meanwhile until its publish times out), so a service outlives a NATS restart without
 * restarting itself. The first connection waits for a server that is not up yet, unless told not to
 * (a caller with its own loop, which can give up when stopped).
 */
export function connectNats(
  url: string,
  name: string,
  { waitOnFirstConnect = true }: { waitOnFirstConnect?: boolean } = {},
): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((server) => server.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect,
    // Pings find a half-open connection (a server that vanished without closing it) within about 30 s.
    pingInterval: 10_000,
    maxPingOut: 3,
  });
}

/** Whether the server takes several filter subjects on one consumer (2.10+); 2.9 takes one. */
export function supportsFilterSubjects(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? '0.0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}
