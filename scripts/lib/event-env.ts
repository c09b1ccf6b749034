// The events backbone's environment for one process in a local run, derived from the service list:
// each service accepts its own secret on /internal, holds every other receiver's secret to call them
// (signed commands, e.g. loans → ledger), and names what it consumes (`consumes`, from platform/shape.ts)
// in EVENT_SUBSCRIPTIONS: its durables on the JetStream stream are provisioned from the same list. The
// gateway and static services take no signed calls: they get nothing here.
import { internalSecrets } from './internal-secrets.js';

export interface EventServiceSpec {
  name: string;
  port: number;
  database?: boolean;
  edge?: boolean;
  /** Event types (or `noun.*` patterns, or `type?field=value`) this process consumes. */
  consumes?: string[];
}

/** Services with a database have an outbox and an inbox; the gateway and static services do not. */
const hasOutbox = (spec: EventServiceSpec) => spec.database !== false && !spec.edge;
/** Who holds a secret of its own: every service with an outbox, and whatever else consumes events. */
const receives = (spec: EventServiceSpec) => hasOutbox(spec) || (spec.consumes ?? []).length > 0;

export function eventEnv(
  spec: EventServiceSpec,
  all: readonly EventServiceSpec[],
  secretsFile?: string,
): Record<string, string> {
  if (!receives(spec)) return {};
  const secrets = internalSecrets(
    all.filter(receives).map((s) => s.name),
    secretsFile,
  );
  const own = { INTERNAL_SECRETS: secrets[spec.name] as string };
  if (!hasOutbox(spec)) return own;
  const peers = all.filter((other) => receives(other) && other.name !== spec.name);
  return {
    ...own,
    INTERNAL_PEER_SECRETS: peers.map((peer) => `${peer.name}=${secrets[peer.name]}`).join(';'),
    EVENT_SUBSCRIPTIONS: (spec.consumes ?? []).join(','),
  };
}
