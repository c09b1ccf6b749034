import type { z } from 'zod';
import {
  loanGuarantorConsentedV1,
  loanGuarantorDeclinedV1,
  loanGuarantorRequestedV1,
  loanGuarantorsVoidedV1,
} from './guarantor-events.js';
import {
  agentApprovedV1,
  sessionEndedV1,
  userDisabledV1,
  userEmailChangedV1,
  userEmailChangeRequestedV1,
  userEmailVerificationRequestedV1,
  userPasswordChangedV1,
  userPasswordResetRequestedV1,
  userRegisteredV1,
  userTwoFactorChangedV1,
  userUpdatedV1,
} from './identity-events.js';
import { disbursementFailedV1, transferCompletedV1 } from './ledger-events.js';
import {
  lendingCloseOfBusinessCompletedV1,
  loanApprovedV1,
  loanCancelledV1,
  loanCreatedV1,
  loanDisbursedV1,
  loanInstalmentDueSoonV1,
  loanInterestCapitalisedV1,
  loanOverdueV1,
  loanPhaseChangedV1,
  loanRejectedV1,
  loanRepaidV1,
  loanRepaymentStartedV1,
  repaymentReceivedV1,
} from './loan-events.js';
import {
  loanApprovedV2,
  trancheCertifiedV1,
  trancheLapsedV1,
  trancheReleasedV1,
  trancheReleaseFailedV1,
  trancheReleaseRequestedV1,
} from './tranche-events.js';

/** Every version of every event (DESIGN §4). A new version is added here next to the old one. */
export const eventContracts = [
  userRegisteredV1,
  userUpdatedV1,
  agentApprovedV1,
  userDisabledV1,
  userEmailVerificationRequestedV1,
  userPasswordResetRequestedV1,
  userPasswordChangedV1,
  userEmailChangeRequestedV1,
  userEmailChangedV1,
  userTwoFactorChangedV1,
  sessionEndedV1,
  loanCreatedV1,
  loanApprovedV1,
  loanRejectedV1,
  loanCancelledV1,
  loanDisbursedV1,
  repaymentReceivedV1,
  loanRepaidV1,
  loanOverdueV1,
  loanPhaseChangedV1,
  loanInterestCapitalisedV1,
  loanRepaymentStartedV1,
  loanInstalmentDueSoonV1,
  lendingCloseOfBusinessCompletedV1,
  transferCompletedV1,
  disbursementFailedV1,
  loanApprovedV2,
  trancheCertifiedV1,
  trancheReleaseRequestedV1,
  trancheReleasedV1,
  trancheReleaseFailedV1,
  trancheLapsedV1,
  loanGuarantorRequestedV1,
  loanGuarantorConsentedV1,
  loanGuarantorDeclinedV1,
  loanGuarantorsVoidedV1,
] as const;

export type AnyEventContract = (typeof eventContracts)[number];
/** `user.registered@1`, …: one per event version. */
export type EventKey = AnyEventContract['key'];
export type EventType = AnyEventContract['type'];
export type ContractOf<Key extends EventKey> = Extract<AnyEventContract, { key: Key }>;
/** An event's data as a consumer reads it. */
export type EventData<Key extends EventKey> = z.output<ContractOf<Key>['readSchema']>;

/** What a producer hands to the outbox: a known type and version, and data of that version's shape. */
export type EventInput = {
  [Key in EventKey]: {
    type: ContractOf<Key>['type'];
    version: ContractOf<Key>['version'];
    data: z.input<ContractOf<Key>['schema']>;
  };
}[EventKey];

const byKey = new Map<string, AnyEventContract>(eventContracts.map((contract) => [contract.key, contract]));

export function findContract(type: string, version: number): AnyEventContract | undefined {
  return byKey.get(`${type}@${version}`);
}

export function isKnownEventType(type: string): boolean {
  return eventContracts.some((contract) => contract.type === type);
}

/**
 * The types that carry a one-time code (`secret: true` in their contracts), published on the private
 * stream: their subjects, the stream that keeps them and who may read them follow from this list alone.
 */
export const secretEventTypes: readonly EventType[] = [
  ...new Set(eventContracts.filter((contract) => contract.secret).map((contract) => contract.type)),
];

export function isSecretEventType(type: string): boolean {
  return (secretEventTypes as readonly string[]).includes(type);
}

/** Every event type, once each. */
export const eventTypes: readonly EventType[] = [...new Set(eventContracts.map((contract) => contract.type))];
