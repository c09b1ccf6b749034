import {
  GUARANTOR_MAIL_TEMPLATES,
  type GuarantorMailParams,
  guarantorMailContent,
} from './guarantor-notices.js';
import { cleanName, escapeHtml } from './html.js';
import { formatMoney, type Money } from './money.js';
import { TRANCHE_MAIL_TEMPLATES, type TrancheMailParams, trancheMailContent } from './tranche-mails.js';

/**
 * What each template needs besides the recipient: ids, amounts, dates — never the address, except
 * `toAddress` for the mails about an e-mail change, which must reach an address the directory does not
 * hold (the new one, still unconfirmed; the old one, once replaced).
 */
export type MailParams =
  | { template: 'welcome'; role: 'admin' | 'agent' | 'student'; status: string }
  | { template: 'agent_approved' }
  | { template: 'loan_approved'; loanId: string; principal: Money }
  | { template: 'loan_rejected'; loanId: string; reason: string | null }
  | { template: 'loan_disbursed'; loanId: string; amount: Money }
  | { template: 'loan_overdue'; loanId: string; installment: number; dueDate: string; overdue: Money }
  | {
      template: 'repayment_started';
      loanId: string;
      businessDate: string;
      firstDueDate: string;
      instalment: Money;
      instalments: number;
      principal: Money;
    }
  | {
      template: 'instalment_due_soon';
      loanId: string;
      installment: number;
      dueDate: string;
      amountDue: Money;
    }
  | TrancheMailParams
  | GuarantorMailParams
  | { template: 'money_received'; transferId: string; amount: Money }
  | { template: 'repayment_received'; loanId: string; amount: Money; outstanding: Money }
  | { template: 'email_verification'; verificationCode: string; expiresAt: string }
  | { template: 'password_reset'; resetCode: string; expiresAt: string }
  | { template: 'password_changed'; method: 'changed' | 'reset'; changedAt: string }
  | { template: 'email_change_code'; confirmationCode: string; expiresAt: string; toAddress: string }
  | { template: 'email_change_requested'; toAddress: string }
  | { template: 'email_changed'; changedAt: string; toAddress: string }
  | {
      template: 'two_factor_changed';
      change: 'enabled' | 'disabled' | 'recovery_code_used' | 'recovery_codes_renewed';
      changedAt: string;
      recoveryCodesLeft: number | null;
    };

export type MailTemplate = MailParams['template'];

export const MAIL_TEMPLATES: readonly MailTemplate[] = [
  'welcome',
  'agent_approved',
  'loan_approved',
  'loan_rejected',
  'loan_disbursed',
  'loan_overdue',
  'repayment_started',
  'instalment_due_soon',
  ...TRANCHE_MAIL_TEMPLATES,
  ...GUARANTOR_MAIL_TEMPLATES,
  'money_received',
  'repayment_received',
  'email_verification',
  'password_reset',
  'password_changed',
  'email_change_code',
  'email_change_requested',
  'email_changed',
  'two_factor_changed',
];

export interface Recipient {
  email: string;
  firstName: string;
  lastName: string;
}

export interface RenderedMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
}

/**
 * A mail's content as paragraphs of plain text. Values are plain text here;
 * the HTML rendering escapes every one of them, so a name like
 * `<script>` arrives as text in both parts.
 */
interface Content {
  subject: string;
  paragraphs: string[];
}

function contentOf(params: MailParams): Content {
  switch (params.template) {
    case 'welcome':
      if (params.role === 'agent' && params.status === 'pending') {
        return {
          subject: 'Your loan officer registration was received',
          paragraphs: [
            'Thank you for registering as a loan officer on the Bonding Platform.',
            'An administrator will review your account. We will write again as soon as it is approved; until then you cannot sign in.',
          ],
        };
      }
      if (params.role === 'admin') {
        return {
          subject: 'Your Bonding Platform administrator account',
          paragraphs: [
            'An administrator account was created for you on the Bonding Platform.',
            'Sign in to review loan officers, loans and disbursements.',
          ],
        };
      }
      return {
        subject: 'Welcome to the Bonding Platform',
        paragraphs: [
          'Your account is ready.',
          'Sign in and file your bonding details — your personal details, a guardian and a bank account — so that a loan officer can raise a loan for you.',
        ],
      };
    case 'agent_approved':
      return {
        subject: 'Your loan officer account is approved',
        paragraphs: [
          'An administrator approved your loan officer account.',
          'You can now sign in and raise loans for students.',
        ],
      };
    case 'loan_approved':
      return {
        subject: 'Your loan was approved',
        paragraphs: [
          `Your loan of ${formatMoney(params.principal)} was approved.`,
          'The money will be paid into your wallet shortly; we will let you know when it arrives.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'loan_rejected':
      return {
        subject: 'Your loan application was not approved',
        paragraphs: [
          'We are sorry: your loan application was not approved.',
          ...(params.reason ? [`The reviewer's note: ${params.reason}`] : []),
          'Your loan officer can tell you more and help you apply again.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'loan_disbursed':
      return {
        subject: 'Your loan was paid into your wallet',
        paragraphs: [
          `${formatMoney(params.amount)} was paid into your wallet.`,
          'Your repayment schedule starts now; you can see it when you sign in.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'loan_overdue':
      return {
        subject: 'A loan repayment is overdue',
        paragraphs: [
          `Instalment ${params.installment} of your loan was due on ${params.dueDate} and ${formatMoney(params.overdue)} is still unpaid.`,
          'Please repay as soon as you can, or speak to your loan officer if you need help.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'repayment_started':
      return {
        subject: 'Repayment of your loan has started',
        paragraphs: [
          `Repayment of your loan started on ${params.businessDate}.`,
          `Your first instalment of ${formatMoney(params.instalment)} is due on ${params.firstDueDate}. ${params.instalments} monthly instalments repay ${formatMoney(params.principal)}; you can see each one's date and amount when you sign in.`,
          'We will remind you before each due date.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'instalment_due_soon':
      return {
        subject: 'A loan instalment is due soon',
        paragraphs: [
          `Instalment ${params.installment} of your loan is due on ${params.dueDate}: ${formatMoney(params.amountDue)} is still to pay.`,
          'Paying on time keeps your loan out of arrears. Speak to your loan officer if you need help.',
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'tranche_certified':
    case 'tranche_released':
    case 'tranche_release_failed':
    case 'tranche_lapsed':
      return trancheMailContent(params);
    case 'guarantor_consent_requested':
    case 'guarantor_loan_disbursed':
    case 'guarantor_loan_repaid':
      return guarantorMailContent(params);
    case 'money_received':
      return {
        subject: 'You received money',
        paragraphs: [
          `${formatMoney(params.amount)} arrived in your wallet.`,
          `Transfer reference: ${params.transferId}`,
        ],
      };
    case 'repayment_received':
      return {
        subject: 'We received your repayment',
        paragraphs: [
          `Thank you: we received your repayment of ${formatMoney(params.amount)}.`,
          `Still to repay on this loan: ${formatMoney(params.outstanding)}.`,
          `Loan reference: ${params.loanId}`,
        ],
      };
    case 'email_verification':
      return {
        subject: 'Confirm your e-mail address',
        paragraphs: [
          'Please confirm that this address belongs to your Bonding Platform account.',
          `Your verification code: ${params.verificationCode}`,
          `Enter it in the app before ${utcMinute(params.expiresAt)}. It works once. Until you do, you can sign in but cannot apply for a loan or move money.`,
          'If you did not create an account, ignore this e-mail.',
        ],
      };
    case 'password_reset':
      return {
        subject: 'Reset your Bonding Platform password',
        paragraphs: [
          'Someone — we hope you — asked to reset the password of your Bonding Platform account.',
          `Your reset code: ${params.resetCode}`,
          `Enter it with your new password before ${utcMinute(params.expiresAt)}. It works once.`,
          'If you did not ask for this, ignore this e-mail: your password stays as it is.',
        ],
      };
    case 'password_changed':
      return {
        subject: 'Your Bonding Platform password was changed',
        paragraphs: [
          params.method === 'reset'
            ? `Your password was reset with a code sent to this address on ${utcMinute(params.changedAt)}, and every session was signed out.`
            : `Your password was changed on ${utcMinute(params.changedAt)}, and your other sessions were signed out.`,
          'If this was not you, reset your password at once and tell an administrator.',
        ],
      };
    case 'email_change_code':
      return {
        subject: 'Confirm your new e-mail address',
        paragraphs: [
          'Someone — we hope you — asked to use this address for their Bonding Platform account.',
          `Your confirmation code: ${params.confirmationCode}`,
          `Enter it in the app before ${utcMinute(params.expiresAt)}. It works once.`,
          'If you did not ask for this, ignore this e-mail: nothing changes without the code.',
        ],
      };
    case 'email_change_requested':
      return {
        subject: 'A new e-mail address was requested for your account',
        paragraphs: [
          'Someone signed in to your Bonding Platform account asked to move it to another e-mail address. A confirmation code was sent to that address.',
          'If this was not you, change your password at once (your other sessions end with it) and tell an administrator.',
        ],
      };
    case 'email_changed':
      return {
        subject: 'The e-mail address of your account was changed',
        paragraphs: [
          `On ${utcMinute(params.changedAt)} your Bonding Platform account moved to another e-mail address, confirmed from that address. This address no longer receives its mail.`,
          'If this was not you, tell an administrator at once.',
        ],
      };
    case 'two_factor_changed':
      return {
        subject: TWO_FACTOR_SUBJECTS[params.change],
        paragraphs: [
          `On ${utcMinute(params.changedAt)} ${TWO_FACTOR_CHANGES[params.change]}${params.change === 'recovery_code_used' ? ` Recovery codes left: ${params.recoveryCodesLeft ?? 0}.` : ''}`,
          'If this was not you, change your password at once and tell an administrator.',
        ],
      };
  }
}

type TwoFactorChange = Extract<MailParams, { template: 'two_factor_changed' }>['change'];

const TWO_FACTOR_SUBJECTS: Record<TwoFactorChange, string> = {
  enabled: 'Two-factor sign-in is on',
  disabled: 'Two-factor sign-in was turned off',
  recovery_code_used: 'A recovery code was used to sign in',
  recovery_codes_renewed: 'Your recovery codes were renewed',
};

const TWO_FACTOR_CHANGES: Record<TwoFactorChange, string> = {
  enabled: 'an authenticator app was added to your account: signing in now needs a code from it.',
  disabled: 'the authenticator app was removed from your account: signing in needs only your password.',
  recovery_code_used: 'someone signed in to your account with a recovery code.',
  recovery_codes_renewed: 'new recovery codes were made for your account; the earlier ones no longer work.',
};

/** `2026-11-22 11:30 UTC`: an ISO timestamp as a reader expects it. */
function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const SIGN_OFF = 'The Bonding Platform team';
const FOOTER = 'You receive this e-mail because you have an account on the Bonding Platform.';

/** The e-mail for one template, addressed to the recipient by name, as plain text and as HTML. */
export function renderMail(params: MailParams, recipient: Recipient): RenderedMail {
  const firstName = cleanName(recipient.firstName);
  const fullName = cleanName(`${recipient.firstName} ${recipient.lastName}`);
  const { subject, paragraphs } = contentOf(params);
  const greeting = `Dear ${firstName},`;
  const text = [greeting, ...paragraphs, SIGN_OFF, '--', FOOTER].join('\n\n');
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">',
    `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(subject)}</h1>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p>${escapeHtml(SIGN_OFF)}</p>`,
    '</div>',
    `<p style="max-width:560px;margin:16px auto 0;font-size:12px;color:#6b7280">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to: { name: fullName, address: recipient.email }, subject, text, html };
}
