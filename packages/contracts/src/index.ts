export { defineEvent, type EventContract } from './define-event.js';
export { type EventEnvelope, EventEnvelopeSchema } from './envelope.js';
export { Id, Money, ReasonCode, Role, Timestamp, UserStatus } from './fields.js';
export * from './guarantor-events.js';
export * from './identity-events.js';
export * from './ledger-events.js';
export * from './loan-events.js';
export {
  type AnyEventContract,
  type ContractOf,
  type EventData,
  type EventInput,
  type EventKey,
  type EventType,
  eventContracts,
  eventTypes,
  findContract,
  isKnownEventType,
  isSecretEventType,
  secretEventTypes,
} from './registry.js';
export * from './tranche-events.js';
