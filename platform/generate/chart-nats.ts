// Writes charts/bonding/nats-permissions.yaml: one NATS user per service that publishes or consumes
// events, with exactly the subjects platform/shape.ts gives it (its own `bonding.<service>.>` events, and
// the JetStream API, ack and inbox subjects of its own durables), and the provisioner's rights. The chart
// renders them into the NATS server's configuration (templates/nats/), so the permissions follow the shape.
import {
  consumersOf,
  declareJetStream,
  defaultJetStreamSettings,
} from '../../packages/kit/src/events/jetstream/declaration.js';
import { secretReaders, services, subscriptions } from '../shape.js';
import { GENERATED_NOTE, yamlComment, yamlScalar } from './yaml-text.js';

export interface NatsUser {
  publish: string[];
  subscribe: string[];
}

/** Replies (JetStream API answers, publish acks, pulled messages) come to the client's inbox. */
export const NATS_INBOX = '_INBOX.>';

/** Each service's user, keyed by service name, in the shape's order; services with no events have none. */
export function natsUsers(): Record<string, NatsUser> {
  const declaration = declareJetStream({ services, subscriptions, secretReaders });
  const { stream, prefix } = defaultJetStreamSettings;
  const users: Record<string, NatsUser> = {};
  for (const service of services) {
    const produces = 'produces' in service && service.produces.length > 0;
    const durables = consumersOf(declaration, service.name).map((consumer) => consumer.durable);
    if (!produces && durables.length === 0) continue;
    users[service.name] = {
      publish: [
        // Its own events; the stream's publish ack answers on the inbox.
        ...(produces ? [`${prefix}.${service.name}.>`] : []),
        // Binding to, pulling from and acking its own durables, nothing else of the JetStream API.
        ...durables.map((durable) => `$JS.API.CONSUMER.INFO.${stream}.${durable}`),
        ...durables.map((durable) => `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`),
        ...durables.map((durable) => `$JS.ACK.${stream}.${durable}.>`),
      ],
      subscribe: [NATS_INBOX],
    };
  }
  return users;
}

/** The hook Job's user: creates and updates the stream and durables (the whole JetStream API). */
export const provisionerUser: NatsUser = { publish: ['$JS.API.>'], subscribe: [NATS_INBOX] };

export function renderNatsPermissions(): string {
  const header = yamlComment(
    `${GENERATED_NOTE}\nThe NATS users of the platform: per service that publishes or consumes events, exactly its own\nsubjects and durables (platform/shape.ts: produces, subscriptions; the durables of\npackages/kit/src/events/jetstream/declaration.ts); and the provisioner, used only by the hook Job.\nRead by templates/_nats.tpl; passwords come from Secrets, never from here.`,
    '',
  );
  const lines = [
    `stream: ${defaultJetStreamSettings.stream}`,
    `prefix: ${defaultJetStreamSettings.prefix}`,
    'users:',
  ];
  for (const [name, user] of [...Object.entries(natsUsers()), ['provisioner', provisionerUser] as const]) {
    lines.push(
      `  ${name}:`,
      '    publish:',
      ...user.publish.map((subject) => `      - ${yamlScalar(subject)}`),
    );
    lines.push('    subscribe:', ...user.subscribe.map((subject) => `      - ${yamlScalar(subject)}`));
  }
  return `${header}${lines.join('\n')}\n`;
}
