import type { EventData } from '@bonding/contracts';
import type { GuarantorContactRow } from '../db/schema.js';
import { formatMoney, type Money } from './money.js';
import type { Plan } from './notices.js';

/**
 * A guarantor is no user of the platform: their mail goes to the address the event names (`toAddress`)
 * under the name it names, filed under the student whose loan it is (mail_outbox needs a user).
 */
type ToGuarantor = { toAddress: string; toFirstName: string; toLastName: string };
export type GuarantorMailParams = ToGuarantor &
  (
    | {
        template: 'guarantor_consent_requested';
        loanId: string;
        consentCode: string;
        expiresAt: string;
        principal: Money;
        termMonths: number;
      }
    | { template: 'guarantor_loan_disbursed'; loanId: string; amount: Money }
    | { template: 'guarantor_loan_repaid'; loanId: string }
  );

export const GUARANTOR_MAIL_TEMPLATES = [
  'guarantor_consent_requested',
  'guarantor_loan_disbursed',
  'guarantor_loan_repaid',
] as const satisfies readonly GuarantorMailParams['template'][];

const toGuarantor = (contact: GuarantorContactRow): ToGuarantor & { userId: string } => ({
  // Filed under the student: mail_outbox needs a user, and the relay waits until the directory knows them.
  userId: contact.student_id,
  toAddress: contact.email,
  toFirstName: contact.first_name,
  toLastName: contact.surname,
});

/** The public API path a guarantor reads the terms at (GET) and decides on (POST). */
export const consentPath = (code: string) => `/api/v1/guarantor-consents/${encodeURIComponent(code)}`;

export function guarantorMailContent(params: GuarantorMailParams): { subject: string; paragraphs: string[] } {
  const reference = `Loan reference: ${params.loanId}`;
  if (params.template === 'guarantor_loan_disbursed') {
    return {
      subject: 'The loan you guarantee was paid out',
      paragraphs: [
        `The student loan you agreed to guarantee was paid out: the first term's ${formatMoney(params.amount)} was released.`,
        'Your guarantee now stands until the loan is repaid; we will write again then.',
        reference,
      ],
    };
  }
  if (params.template === 'guarantor_loan_repaid') {
    return {
      subject: 'The loan you guaranteed is repaid',
      paragraphs: ['The student loan you guaranteed is repaid in full: your guarantee has ended.', reference],
    };
  }
  return {
    subject: 'You were asked to guarantee a student loan',
    paragraphs: [
      `A student you are a guardian of named you as a guarantor of their loan of ${formatMoney(params.principal)} over ${params.termMonths} months.`,
      `Read the loan's terms at ${consentPath(params.consentCode)} on the Bonding Platform, then accept or decline there with the same code.`,
      `Your consent code: ${params.consentCode}`,
      `The code works once and expires at ${params.expiresAt}. If you do not know this student, ignore this e-mail: nothing happens without your answer.`,
    ],
  };
}

/** The student hears each answer in-app; the code itself never goes in-app (docs/events.md). */
export const guarantorPlans = {
  requested(data: EventData<'loan.guarantorRequested@1'>): Plan {
    return {
      notices: [],
      mails: [
        {
          template: 'guarantor_consent_requested',
          userId: data.studentId,
          loanId: data.loanId,
          consentCode: data.consentCode,
          expiresAt: data.expiresAt,
          principal: data.principal,
          termMonths: data.termMonths,
          toAddress: data.email,
          toFirstName: data.firstName,
          toLastName: data.surname,
        },
      ],
    };
  },

  /** The first release (loan.disbursed@1 is emitted once, for it), to every guarantor who consented. */
  disbursed(data: EventData<'loan.disbursed@1'>, guarantors: readonly GuarantorContactRow[]): Plan {
    return {
      notices: [],
      mails: guarantors.map((contact) => ({
        template: 'guarantor_loan_disbursed' as const,
        loanId: data.loanId,
        amount: data.amount,
        ...toGuarantor(contact),
      })),
    };
  },

  repaid(data: EventData<'loan.repaid@1'>, guarantors: readonly GuarantorContactRow[]): Plan {
    return {
      notices: [],
      mails: guarantors.map((contact) => ({
        template: 'guarantor_loan_repaid' as const,
        loanId: data.loanId,
        ...toGuarantor(contact),
      })),
    };
  },

  consented(data: EventData<'loan.guarantorConsented@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'guarantor_consented',
          title: 'A guarantor consented',
          body: `A guarantor consented to your loan: ${data.consented} of ${data.required} consents are in.`,
          data: { loanId: data.loanId, guarantorId: data.guarantorId, consented: data.consented },
        },
      ],
      mails: [],
    };
  },

  declined(data: EventData<'loan.guarantorDeclined@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'guarantor_declined',
          title: 'A guarantor declined',
          body: `A guarantor declined to guarantee your loan. Name another of your guardians: ${data.consented} of ${data.required} consents are in.`,
          data: { loanId: data.loanId, guarantorId: data.guarantorId, consented: data.consented },
        },
      ],
      mails: [],
    };
  },
};
