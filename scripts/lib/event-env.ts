// The events backbone's environment for one service in a local run, derived from the service list:
// each service accepts its own secret on /internal, holds every other service's secret to call them,
// and delivers its events to the services that declare they consume them (`consumes`).
import { internalSecrets } from './internal-secrets.js';

export interface EventServiceSpec {
  name: string;
  port: number;
  database?: boolean;
  edge?: boolean;
  /** Event types (or `noun.*` patterns) this service consumes at /internal/events. */
  consumes?: string[];
}

/** Services with a database have an outbox and an inbox; the gateway and static services do not. */
const takesPart = (spec: EventServiceSpec) => spec.database !== false && !spec.edge;

export function eventEnv(
  spec: EventServiceSpec,
  all: readonly EventServiceSpec[],
  secretsFile?: string,
): Record<string, string> {
  if (!takesPart(spec)) return {};
  const peers = all.filter((other) => takesPart(other) && other.name !== spec.name);
  const secrets = internalSecrets(
    all.filter(takesPart).map((s) => s.name),
    secretsFile,
  );
  return {
    INTERNAL_SECRETS: secrets[spec.name] as string,
    INTERNAL_PEER_SECRETS: peers.map((peer) => `${peer.name}=${secrets[peer.name]}`).join(';'),
    EVENT_SUBSCRIBERS: peers
      .filter((peer) => (peer.consumes ?? []).length > 0)
      .map((peer) => `${peer.name}=http://127.0.0.1:${peer.port}|${(peer.consumes ?? []).join(',')}`)
      .join(';'),
  };
}
