import { describe, expect, it } from 'vitest';
import {
  EventEnvelopeSchema,
  eventContracts,
  eventTypes,
  findContract,
  isSecretEventType,
  loanInstalmentDueSoonV1,
  loanRepaymentStartedV1,
  transferCompletedV1,
  userDisabledV1,
  userRegisteredV1,
} from '../src/index.js';

const userId = '01900000-0000-7000-8000-000000000001';
const registered = {
  userId,
  email: 'amina@example.mw',
  firstName: 'Amina',
  lastName: 'Phiri',
  role: 'student',
  status: 'active',
  regNumber: 'BT/2026/001',
};

describe('the event contracts', () => {
  it('cover every event of the design, loan.approved in two versions and the rest in one', () => {
    expect([...eventTypes].sort()).toEqual(
      [
        'user.registered',
        'user.updated',
        'agent.approved',
        'user.disabled',
        'user.emailVerificationRequested',
        'user.passwordResetRequested',
        'user.passwordChanged',
        'user.emailChangeRequested',
        'user.emailChanged',
        'user.twoFactorChanged',
        'session.ended',
        'loan.created',
        'loan.rejected',
        'loan.cancelled',
        'loan.approved',
        'transfer.completed',
        'disbursement.failed',
        'loan.disbursed',
        'repayment.received',
        'loan.repaid',
        'loan.overdue',
        'loan.phaseChanged',
        'loan.interestCapitalised',
        'loan.repaymentStarted',
        'loan.instalmentDueSoon',
        'lending.closeOfBusinessCompleted',
        'tranche.certified',
        'tranche.releaseRequested',
        'tranche.released',
        'tranche.releaseFailed',
        'tranche.lapsed',
        'loan.guarantorRequested',
        'loan.guarantorConsented',
        'loan.guarantorDeclined',
        'loan.guarantorsVoided',
      ].sort(),
    );
    const versionsOf = (type: string) => eventContracts.filter((c) => c.type === type).map((c) => c.version);
    expect(versionsOf('loan.approved')).toEqual([1, 2]);
    expect(versionsOf('tranche.released')).toEqual([1]);
    for (const contract of eventContracts) {
      expect(contract.key).toBe(`${contract.type}@${contract.version}`);
      expect(contract.type).toMatch(/^[a-z]+\.[a-z][a-zA-Z]*$/);
    }
  });

  it('mark exactly the types that carry a one-time code as secret, in every version', () => {
    const secret = eventContracts.filter((contract) => contract.secret).map((contract) => contract.type);
    expect([...new Set(secret)].sort()).toEqual(
      [
        'loan.guarantorRequested',
        'user.emailChangeRequested',
        'user.emailVerificationRequested',
        'user.passwordResetRequested',
      ].sort(),
    );
    // A type's subject (and so its stream) follows the type: its versions may not disagree.
    for (const contract of eventContracts) {
      expect(contract.secret, contract.key).toBe(isSecretEventType(contract.type));
    }
    // Every field named like a code belongs to a secret contract.
    for (const contract of eventContracts) {
      const codes = Object.keys(contract.schema.shape).filter((field) => /code$/i.test(field));
      if (codes.length > 0) expect(contract.secret, `${contract.key}: ${codes.join(', ')}`).toBe(true);
    }
  });

  it('are found by type and version, and an unknown version is not', () => {
    expect(findContract('user.registered', 1)).toBe(userRegisteredV1);
    expect(findContract('user.registered', 2)).toBeUndefined();
    expect(findContract('user.exploded', 1)).toBeUndefined();
  });

  it('refuse a producer that adds a field the contract does not name', () => {
    expect(userRegisteredV1.schema.safeParse(registered).success).toBe(true);
    const leaky = userRegisteredV1.schema.safeParse({ ...registered, passwordHash: '$argon2id$...' });
    expect(leaky.success).toBe(false);
    expect(leaky.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('let a consumer read an event with a field added later, dropping it', () => {
    const read = userRegisteredV1.readSchema.parse({ ...registered, preferredName: 'Ami' });
    expect(read).toEqual(registered);
  });

  it('refuse missing or mistyped fields', () => {
    expect(userRegisteredV1.schema.safeParse({ ...registered, email: 'not-an-email' }).success).toBe(false);
    expect(userRegisteredV1.schema.safeParse({ ...registered, role: 'root' }).success).toBe(false);
    expect(userDisabledV1.schema.safeParse({ userId, disabledBy: userId }).success).toBe(false);
  });

  it('order a disbursement outcome by its loan, and a plain transfer by itself', () => {
    const base = {
      transferId: '01900000-0000-7000-8000-0000000000aa',
      fromAccountId: '01900000-0000-7000-8000-0000000000bb',
      toAccountId: '01900000-0000-7000-8000-0000000000cc',
      fromUserId: null,
      toUserId: userId,
      amount: { amountMinor: '150000', currency: 'MWK' },
    };
    const loanId = '01900000-0000-7000-8000-0000000000dd';
    expect(transferCompletedV1.aggregateOf({ ...base, purpose: 'disbursement', loanId })).toBe(loanId);
    expect(transferCompletedV1.aggregateOf({ ...base, purpose: 'transfer', loanId: null })).toBe(
      base.transferId,
    );
  });

  it('keep money as an integer string of minor units', () => {
    const money = (amountMinor: string) =>
      transferCompletedV1.schema.shape.amount.safeParse({ amountMinor, currency: 'MWK' }).success;
    expect(money('0')).toBe(true);
    expect(money('9223372036854775807')).toBe(true);
    expect(money('1.5')).toBe(false);
    expect(money('-3')).toBe(false);
    expect(money('007')).toBe(false);
  });
});

describe('the repayment notices', () => {
  const loanId = '01900000-0000-7000-8000-0000000000dd';
  const mwk = (amountMinor: string) => ({ amountMinor, currency: 'MWK' });
  const started = {
    loanId,
    studentId: userId,
    businessDate: '2030-06-30',
    firstDueDate: '2030-07-30',
    instalment: mwk('94952'),
    instalments: 12,
    principal: mwk('1113205'),
  };
  const dueSoon = {
    loanId,
    studentId: userId,
    installment: 1,
    dueDate: '2030-07-30',
    amountDue: mwk('94952'),
  };

  it('are ordered by their loan', () => {
    expect(loanRepaymentStartedV1.aggregateOf(started)).toBe(loanId);
    expect(loanInstalmentDueSoonV1.aggregateOf(dueSoon)).toBe(loanId);
  });

  it('carry business dates, not instants, and whole instalments', () => {
    expect(loanRepaymentStartedV1.schema.safeParse(started).success).toBe(true);
    expect(loanInstalmentDueSoonV1.schema.safeParse(dueSoon).success).toBe(true);
    const instant = '2030-07-30T00:00:00Z';
    expect(loanRepaymentStartedV1.schema.safeParse({ ...started, firstDueDate: instant }).success).toBe(
      false,
    );
    expect(loanInstalmentDueSoonV1.schema.safeParse({ ...dueSoon, dueDate: instant }).success).toBe(false);
    expect(loanRepaymentStartedV1.schema.safeParse({ ...started, instalments: 0 }).success).toBe(false);
    expect(loanInstalmentDueSoonV1.schema.safeParse({ ...dueSoon, installment: 1.5 }).success).toBe(false);
  });
});

describe('the event envelope', () => {
  it('accepts a well-formed envelope and refuses a malformed type', () => {
    const envelope = {
      id: '01900000-0000-7000-8000-000000000009',
      type: 'user.registered',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'identity',
      data: registered,
    };
    expect(EventEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(EventEnvelopeSchema.safeParse({ ...envelope, type: 'UserRegistered' }).success).toBe(false);
    expect(EventEnvelopeSchema.safeParse({ ...envelope, version: 0 }).success).toBe(false);
  });
});
