// Writes docs/reference/events.md from the event contracts (packages/contracts: each version's
// description and data schema) and platform/shape.ts (who produces it, who subscribes, with which filter).
import { eventContracts } from '../../packages/contracts/src/registry.js';
import { services, subscriptions } from '../shape.js';
import type { EventSubscription } from '../shape-types.js';
import { cell, type JsonSchema, schemaLimits, schemaType } from './json-schema-text.js';
import { byCodeUnit } from './order.js';
import { deliveredBy, subscriptionText } from './subscription-text.js';

const producerOf = (type: string) =>
  services
    .filter((service) => 'produces' in service && deliveredBy(service.produces, [type]).length > 0)
    .map((service) => service.name);

function subscribersOf(type: string): string[] {
  return Object.entries(subscriptions as Record<string, readonly EventSubscription[]>).flatMap(
    ([subscriber, wanted]) =>
      deliveredBy([type], wanted).map((subscription) =>
        typeof subscription === 'string'
          ? subscriber
          : `${subscriber} (only \`${subscriptionText(subscription)}\`)`,
      ),
  );
}

function renderContract(contract: (typeof eventContracts)[number]): string[] {
  const schema = (contract.schema as unknown as { toJSONSchema(options: object): JsonSchema }).toJSONSchema({
    io: 'output',
    unrepresentable: 'any',
  });
  const subscribers = subscribersOf(contract.type);
  const lines = [
    `## \`${contract.key}\``,
    '',
    contract.description,
    '',
    `- Produced by: ${producerOf(contract.type).join(', ') || '—'}`,
    `- Delivered to: ${subscribers.join(', ') || 'nobody yet'}`,
    '',
    '| field | type | required | limits |',
    '| --- | --- | --- | --- |',
  ];
  for (const [field, property] of Object.entries(schema.properties ?? {}))
    lines.push(
      `| \`${field}\` | ${cell(schemaType(property))} | ${schema.required?.includes(field) ? 'yes' : 'no'} | ${cell(schemaLimits(property))} |`,
    );
  return [...lines, ''];
}

export function renderEventsReference(): string {
  const contracts = [...eventContracts].sort((a, b) => byCodeUnit(a.key, b.key));
  const lines = [
    '# Events reference',
    '',
    '> GENERATED from the event contracts (`packages/contracts`) and platform/shape.ts by `npm run generate`: do not edit by hand.',
    '',
    'Every version of every event, who produces it and who receives it. Each travels in the envelope of',
    '`packages/contracts/src/envelope.ts` (`id`, `type`, `version`, `occurredAt`, `data`, …) from the',
    "producer's outbox over the NATS JetStream stream to each subscriber's inbox; how subjects, partitions,",
    'retries, dead letters and the inbox work is in [docs/events.md](../events.md). Producers must send exactly these fields; consumers',
    'ignore fields they do not know, so adding an optional field is not a new version.',
    '',
    '| event | produced by | delivered to |',
    '| --- | --- | --- |',
    ...contracts.map(
      (contract) =>
        `| [\`${contract.key}\`](#${contract.key.replace(/[^a-zA-Z0-9]/g, '').toLowerCase()}) | ${producerOf(contract.type).join(', ')} | ${cell(subscribersOf(contract.type).join(', ') || 'nobody yet')} |`,
    ),
    '',
  ];
  for (const contract of contracts) lines.push(...renderContract(contract));
  return `${lines.join('\n').trimEnd()}\n`;
}
