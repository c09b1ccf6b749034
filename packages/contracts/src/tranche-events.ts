import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { Id, Money, ReasonCode } from './fields.js';

// Lending part 2 (docs/lending-model.md, "Tranches"): a loan is released term by term. Every event is
// keyed by its loan, so a consumer sees a loan's tranches in the order they moved.
const byLoan = (data: { loanId: string }) => data.loanId;
const BusinessDate = z.iso.date();
const TrancheNumber = z.number().int().min(1);

export const loanApprovedV2 = defineEvent({
  type: 'loan.approved',
  version: 2,
  description:
    'An admin approved a loan and its tranche plan. Unlike version 1 it moves no money: each tranche is ' +
    'released on its own (tranche.releaseRequested).',
  shape: { loanId: Id, studentId: Id, approvedBy: Id, principal: Money, tranches: z.number().int().min(1) },
  aggregate: byLoan,
});

export const trancheCertifiedV1 = defineEvent({
  type: 'tranche.certified',
  version: 1,
  description:
    "Staff certified the student's enrolment for a tranche's term: it is released on its planned date.",
  shape: {
    loanId: Id,
    studentId: Id,
    trancheId: Id,
    number: TrancheNumber,
    termLabel: z.string().max(60),
    certifiedBy: Id,
    businessDate: BusinessDate,
  },
  aggregate: byLoan,
});

export const trancheReleaseRequestedV1 = defineEvent({
  type: 'tranche.releaseRequested',
  version: 1,
  description:
    'Loans asks the ledger to release a tranche: tuition from the funding account to the institution, ' +
    "upkeep to the student's wallet, in one transaction keyed by the tranche id.",
  shape: {
    loanId: Id,
    studentId: Id,
    trancheId: Id,
    number: TrancheNumber,
    /** The payee of the tuition leg; null when the tranche has no tuition. */
    institutionId: Id.nullable(),
    tuition: Money,
    upkeep: Money,
    businessDate: BusinessDate,
  },
  aggregate: byLoan,
});

export const trancheReleasedV1 = defineEvent({
  type: 'tranche.released',
  version: 1,
  description: 'The ledger posted both legs of a tranche (each null when its amount was zero).',
  shape: {
    loanId: Id,
    studentId: Id,
    trancheId: Id,
    number: TrancheNumber,
    tuitionTransferId: Id.nullable(),
    upkeepTransferId: Id.nullable(),
    tuition: Money,
    upkeep: Money,
  },
  aggregate: byLoan,
});

export const trancheReleaseFailedV1 = defineEvent({
  type: 'tranche.releaseFailed',
  version: 1,
  description:
    'The ledger could not release a tranche; nothing moved. An admin retries once the cause is fixed.',
  shape: {
    loanId: Id,
    studentId: Id,
    trancheId: Id,
    number: TrancheNumber,
    reason: ReasonCode.describe('wallet_frozen, no_funding_account, …'),
  },
  aggregate: byLoan,
});

export const trancheLapsedV1 = defineEvent({
  type: 'tranche.lapsed',
  version: 1,
  description: "A tranche was not released within the product's trancheExpiryDays of its planned date.",
  shape: { loanId: Id, studentId: Id, trancheId: Id, number: TrancheNumber, businessDate: BusinessDate },
  aggregate: byLoan,
});
