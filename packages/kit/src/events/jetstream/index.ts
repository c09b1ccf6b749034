// The JetStream transport (docs/events.md, "JetStream transport"): built beside HTTP push, not yet used
// by the services.

export {
  connectNats,
  connectWhenReachable,
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
export { INBOX_DEAD_LETTER_USAGE, inboxDeadLetterCommand } from './dead-letter-cli.js';
export {
  createInboxDeadLetterTables,
  type InboxDeadLetterStatus,
  type InboxDeadLetterTables,
} from './dead-letter-tables.js';
export {
  discardInboxDeadLetters,
  type InboxDeadLetter,
  type InboxDeadLetterFilter,
  listInboxDeadLetters,
  purgeInboxDeadLetters,
  replayInboxDeadLetters,
} from './dead-letters.js';
export {
  type JetStreamMetrics,
  jetstreamMetrics,
  refreshJetStreamGauges,
  unconsumedUnder,
} from './metrics.js';
export {
  defaultPublisherSettings,
  type OutboxEvent,
  OutboxPublisher,
  type OutboxPublisherOptions,
  type OutboxPublisherSettings,
  type PublishTarget,
  publishOutboxEvent,
  type RoundResult,
} from './outbox-publisher.js';

export {
  type Durable,
  durableName,
  durablesOf,
  HEADERS,
  PARTITIONS,
  partitionOf,
  privateRootOf,
  privateStreamOf,
  subjectOf,
  typeTokens,
} from './subjects.js';
