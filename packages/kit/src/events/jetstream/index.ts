// The JetStream transport (docs/events.md, "JetStream transport"): built beside HTTP push, not yet used
// by the services.
export { INBOX_DEAD_LETTER_USAGE, inboxDeadLetterCommand } from '../dead-letter-cli.js';
export {
  type JetStreamMetrics,
  jetstreamMetrics,
  refreshJetStreamGauges,
  unconsumedUnder,
} from '../metrics.js';
export { type Accepted, acceptEvent, parseEnvelope } from './accept.js';
export {
  connectNats,
  inboxPrefixOf,
  type NatsAuth,
  natsAuthOptions,
  supportsFilterSubjects,
} from './connection.js';
export {
  defaultConsumerSettings,
  JetStreamConsumer,
  type JetStreamConsumerOptions,
  type JetStreamConsumerSettings,
} from './consumer.js';
export {
  createInboxDeadLetterTables,
  discardInboxDeadLetters,
  type InboxDeadLetter,
  type InboxDeadLetterFilter,
  type InboxDeadLetterStatus,
  type InboxDeadLetterTables,
  listInboxDeadLetters,
  purgeInboxDeadLetters,
  replayInboxDeadLetters,
} from './dead-letters.js';
export {
  type ConsumerDeclaration,
  consumersOf,
  declareJetStream,
  declareServiceEvents,
  defaultJetStreamSettings,
  durableName,
  type JetStreamDeclaration,
  type JetStreamSettings,
  type PlatformEvents,
  SPARE_DELIVERIES,
  type StreamDeclaration,
  type SubscriptionEntry,
  secretTypesOf,
} from './declaration.js';
export {
  createDenylistConsumer,
  type DenylistConsumer,
  type DenylistConsumerOptions,
} from './denylist-consumer.js';
export {
  defaultPublisherSettings,
  OutboxPublisher,
  type OutboxPublisherOptions,
  type OutboxPublisherSettings,
  type RoundResult,
} from './outbox-publisher.js';
export { deleteJetStream, type ProvisionReport, provisionJetStream } from './provision.js';
export { type OutboxEvent, type PublishTarget, publishOutboxEvent } from './publish.js';
export { createJetStreamEvents, type JetStreamEvents, type JetStreamEventsOptions } from './runtime.js';
export {
  DEFAULT_SUBJECT_PREFIX,
  HEADERS,
  PARTITIONS,
  PRIVATE_TOKEN,
  partitionOf,
  privateRootOf,
  privateStreamOf,
  subjectOf,
} from './subjects.js';
