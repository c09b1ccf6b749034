import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { Id, Money, Timestamp } from './fields.js';

// Guarantors (docs/lending-model.md, "Guarantors"): keyed by the loan, like its tranches, so a consumer
// sees one loan's guarantors in the order they moved.
const byLoan = (data: { loanId: string }) => data.loanId;

export const loanGuarantorRequestedV1 = defineEvent({
  type: 'loan.guarantorRequested',
  version: 1,
  secret: true,
  description:
    "A student's guardian was named as a guarantor of a NEW loan and must consent. Carries the guarantor's " +
    'e-mail address and name and the one-time consent code for notifications to mail (the guarantor is no ' +
    'user of the platform, so no directory knows them): single-use, expires at `expiresAt` (14 days), stored ' +
    'only hashed by loans; only notifications subscribes to loan.* events that carry it (see docs/events.md).',
  shape: {
    loanId: Id,
    studentId: Id,
    guarantorId: Id,
    firstName: z.string().min(1).max(100),
    surname: z.string().min(1).max(100),
    email: z.email(),
    consentCode: z.string().min(16).max(128),
    expiresAt: Timestamp,
    principal: Money,
    termMonths: z.number().int().min(1),
  },
  aggregate: byLoan,
});

const decided = {
  loanId: Id,
  studentId: Id,
  guarantorId: Id,
  /** Guarantors who have consented to the loan, this one included when it consented. */
  consented: z.number().int().min(0),
  /** How many consents the loan needs before it can be approved (the product's, copied onto the loan). */
  required: z.number().int().min(0).max(2),
};

export const loanGuarantorConsentedV1 = defineEvent({
  type: 'loan.guarantorConsented',
  version: 1,
  description: 'A guarantor accepted, by their consent code, to guarantee a NEW loan.',
  shape: decided,
  aggregate: byLoan,
});

export const loanGuarantorDeclinedV1 = defineEvent({
  type: 'loan.guarantorDeclined',
  version: 1,
  description:
    'A guarantor declined, by their consent code, to guarantee a NEW loan; the student may name another.',
  shape: decided,
  aggregate: byLoan,
});

export const loanGuarantorsVoidedV1 = defineEvent({
  type: 'loan.guarantorsVoided',
  version: 1,
  description:
    "A NEW loan's plan or principal changed: every guarantor asked or consented so far is void and must be " +
    'asked again about the new terms (with a new code).',
  shape: { loanId: Id, studentId: Id, guarantorIds: z.array(Id).min(1) },
  aggregate: byLoan,
});
