// Writes charts/bonding/nats-permissions.yaml: one NATS user per service that publishes or consumes
// events, with exactly the subjects platform/shape.ts gives it (its own `bonding.<service>.>` events, the
// private subjects of the secret types it produces, the JetStream API and ack subjects of its own
// durables, and its own inbox), and the provisioner's rights. The chart renders them into the NATS
// server's configuration (templates/nats/), so the permissions follow the shape.

import { inboxPrefixOf } from '../../packages/kit/src/events/jetstream/connection.js';
import { privateRootOf, privateStreamOf } from '../../packages/kit/src/events/jetstream/subjects.js';
import {
  consumersOf,
  declareJetStream,
  defaultJetStreamSettings,
  secretTypesOf,
} from '../events/declaration.js';
import { secretReaders, services, subscriptions } from '../shape.js';
import { GENERATED_NOTE, yamlComment, yamlScalar } from './yaml-text.js';

export interface NatsUser {
  publish: string[];
  /** Subjects refused even where `publish` would allow them. */
  denyPublish?: string[];
  subscribe: string[];
}

/**
 * The provisioner's replies come to the shared inbox; each service's to its own (`_INBOX_<service>`, the
 * kit's connection option): pulled messages arrive there, so a service able to subscribe to another's inbox
 * could read what that one pulls, the private stream's codes included.
 */
export const NATS_INBOX = '_INBOX.>';

/** Each service's user, keyed by service name, in the shape's order; services with no events have none. */
export function natsUsers(): Record<string, NatsUser> {
  const declaration = declareJetStream({ services, subscriptions, secretReaders });
  const { prefix } = defaultJetStreamSettings;
  const users: Record<string, NatsUser> = {};
  for (const service of services) {
    const produces: readonly string[] = 'produces' in service ? service.produces : [];
    const secret = [...new Set(produces.flatMap(secretTypesOf))];
    const durables = consumersOf(declaration, service.name);
    if (produces.length === 0 && durables.length === 0) continue;
    const api = (verb: string) =>
      durables.map((durable) => `$JS.API.CONSUMER.${verb}.${durable.stream}.${durable.durable}`);
    users[service.name] = {
      publish: [
        // Its own events; the stream's publish ack answers on the inbox.
        ...(produces.length > 0 ? [`${prefix}.${service.name}.>`] : []),
        // Its secret types, under the private root only.
        ...secret.map((type) => `${privateRootOf(prefix)}.${service.name}.${type}.*`),
        // Binding to, pulling from and acking its own durables, nothing else of the JetStream API.
        ...api('INFO'),
        ...api('MSG.NEXT'),
        ...durables.map((durable) => `$JS.ACK.${durable.stream}.${durable.durable}.>`),
      ],
      // A secret type on the main root would keep its code for the main stream's week: refused, so a
      // publisher that forgot the private root fails instead of leaking.
      ...(secret.length > 0
        ? { denyPublish: secret.map((type) => `${prefix}.${service.name}.${type}.*`) }
        : {}),
      subscribe: [`${inboxPrefixOf(service.name)}.>`],
    };
  }
  return users;
}

/**
 * The hook Job's user: creates and updates the streams and durables (the JetStream API), but may not fetch
 * the private stream's messages itself (direct get, message get, pulling). This is a second line only: a
 * user that may create consumers could still make one to read them, so its password stays in the Job.
 */
export function provisionerUser(): NatsUser {
  const secret = privateStreamOf(defaultJetStreamSettings.stream);
  return {
    publish: ['$JS.API.>'],
    denyPublish: [
      `$JS.API.DIRECT.GET.${secret}`,
      `$JS.API.DIRECT.GET.${secret}.>`,
      `$JS.API.STREAM.MSG.GET.${secret}`,
      `$JS.API.CONSUMER.MSG.NEXT.${secret}.>`,
    ],
    subscribe: [NATS_INBOX],
  };
}

export function renderNatsPermissions(): string {
  const header = yamlComment(
    `${GENERATED_NOTE}\nThe NATS users of the platform: per service that publishes or consumes events, exactly its own\nsubjects, durables and inbox (platform/shape.ts: produces, subscriptions, secretReaders; the durables of\nplatform/events/declaration.ts); and the provisioner, used only by the hook Job.\nRead by templates/_nats.tpl; passwords come from Secrets, never from here.`,
    '',
  );
  const lines = [
    `stream: ${defaultJetStreamSettings.stream}`,
    `privateStream: ${privateStreamOf(defaultJetStreamSettings.stream)}`,
    `prefix: ${defaultJetStreamSettings.prefix}`,
    'users:',
  ];
  const list = (key: string, subjects: readonly string[]) => [
    `    ${key}:`,
    ...subjects.map((subject) => `      - ${yamlScalar(subject)}`),
  ];
  for (const [name, user] of [...Object.entries(natsUsers()), ['provisioner', provisionerUser()] as const]) {
    lines.push(`  ${name}:`, ...list('publish', user.publish));
    if (user.denyPublish) lines.push(...list('denyPublish', user.denyPublish));
    lines.push(...list('subscribe', user.subscribe));
  }
  return `${header}${lines.join('\n')}\n`;
}
