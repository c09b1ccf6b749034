import type { EventData } from '@bonding/contracts';
import { formatMoney, type Money } from './money.js';
import type { Plan } from './notices.js';

/**
 * A guarantor is no user of the platform: their mail goes to the address the event names (`toAddress`)
 * under the name it names, filed under the student whose loan it is (mail_outbox needs a user).
 */
export type GuarantorMailParams = {
  template: 'guarantor_consent_requested';
  loanId: string;
  consentCode: string;
  expiresAt: string;
  principal: Money;
  termMonths: number;
  toAddress: string;
  toFirstName: string;
  toLastName: string;
};

export const GUARANTOR_MAIL_TEMPLATES = [
  'guarantor_consent_requested',
] as const satisfies readonly GuarantorMailParams['template'][];

/** The public API path a guarantor reads the terms at (GET) and decides on (POST). */
export const consentPath = (code: string) => `/api/v1/guarantor-consents/${encodeURIComponent(code)}`;

export function guarantorMailContent(params: GuarantorMailParams): { subject: string; paragraphs: string[] } {
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
