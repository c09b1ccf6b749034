import { formatMoney, type Money } from './money.js';

/**
 * The e-mails about a loan's tranches (one per academic term). Only tranche.certified@1 carries the term's
 * label; the others name the term by its number in the loan's plan, which is all their events know.
 */
export type TrancheMailParams =
  | { template: 'tranche_certified'; loanId: string; number: number; termLabel: string; businessDate: string }
  | { template: 'tranche_released'; loanId: string; number: number; tuition: Money; upkeep: Money }
  | { template: 'tranche_release_failed'; loanId: string; number: number }
  | { template: 'tranche_lapsed'; loanId: string; number: number; businessDate: string };

export const TRANCHE_MAIL_TEMPLATES = [
  'tranche_certified',
  'tranche_released',
  'tranche_release_failed',
  'tranche_lapsed',
] as const satisfies readonly TrancheMailParams['template'][];

/**
 * Where each leg of a release went, leaving out a leg of zero: a term may pay only tuition or only upkeep,
 * and "MWK 0.00 to your institution" would suggest a payment that never happened.
 */
export function releasedLegs(tuition: Money, upkeep: Money): string[] {
  return [
    ...(BigInt(tuition.amountMinor) > 0n ? [`${formatMoney(tuition)} of tuition to your institution`] : []),
    ...(BigInt(upkeep.amountMinor) > 0n ? [`${formatMoney(upkeep)} of upkeep to your wallet`] : []),
  ];
}

export function trancheMailContent(params: TrancheMailParams): { subject: string; paragraphs: string[] } {
  const reference = `Loan reference: ${params.loanId}`;
  switch (params.template) {
    case 'tranche_certified':
      return {
        // The label stays out of the subject: it is free text, and a header is no place for it.
        subject: 'Your enrolment for a term was certified',
        paragraphs: [
          `Your enrolment for ${params.termLabel} (term ${params.number} of your loan) was certified on ${params.businessDate}.`,
          "The term's money will be paid on its planned date. We will write again when it is paid.",
          reference,
        ],
      };
    case 'tranche_released': {
      const legs = releasedLegs(params.tuition, params.upkeep);
      return {
        subject: 'The money for a term of your loan was paid',
        paragraphs: [
          `The money for term ${params.number} of your loan was paid${legs.length > 0 ? `: ${legs.join(' and ')}` : ''}.`,
          'You can see every term of your loan and what it paid when you sign in.',
          reference,
        ],
      };
    }
    case 'tranche_release_failed':
      return {
        subject: 'The money for a term of your loan is delayed',
        paragraphs: [
          `The money for term ${params.number} of your loan could not be paid yet, and nothing of it moved.`,
          'An administrator will pay it once the cause is fixed; we will write again when it is paid.',
          reference,
        ],
      };
    case 'tranche_lapsed':
      return {
        subject: 'The money for a term of your loan lapsed',
        paragraphs: [
          `The money for term ${params.number} of your loan lapsed on ${params.businessDate} because it was not taken up in time.`,
          'None of it was paid, so none of it is added to what you owe.',
          'If you still need money for this term, contact the board.',
          reference,
        ],
      };
  }
}
