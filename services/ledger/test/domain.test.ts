import { describe, expect, it } from 'vitest';
import { ACCOUNT_TYPES, changeAccountStatus, mayGoNegative } from '../src/domain/accounts.js';
import { changeCardStatus, newCardDetails } from '../src/domain/cards.js';
import { MAX_MINOR_UNITS, minorUnits, toJsonAmount } from '../src/domain/money.js';
import {
  type PostingAccount,
  planPosting,
  TRANSFER_ROUTES,
  type TransferKind,
} from '../src/domain/posting.js';
import { currencyBalanced } from '../src/domain/reconciliation.js';
import { planRelease, refusalReason } from '../src/domain/tranche-release.js';

const account = (overrides: Partial<PostingAccount> = {}): PostingAccount => ({
  id: 'a',
  type: 'wallet',
  currency: 'MWK',
  status: 'active',
  balance: 1_000n,
  ...overrides,
});
const wallet = (id: string, balance: bigint, overrides: Partial<PostingAccount> = {}) =>
  account({ id, balance, ...overrides });

describe('planPosting', () => {
  it('moves the amount: the debit goes down by exactly what the credit goes up by', () => {
    const plan = planPosting({
      kind: 'transfer',
      from: wallet('a', 1_000n),
      to: wallet('b', 5n),
      amount: 400n,
      currency: 'MWK',
    });
    expect(plan).toEqual({ ok: true, amount: 400n, fromBalanceAfter: 600n, toBalanceAfter: 405n });
  });

  it('lets a wallet reach exactly zero but never below', () => {
    const exact = planPosting({
      kind: 'transfer',
      from: wallet('a', 10n),
      to: wallet('b', 0n),
      amount: 10n,
      currency: 'MWK',
    });
    expect(exact).toMatchObject({ ok: true, fromBalanceAfter: 0n });
    const over = planPosting({
      kind: 'transfer',
      from: wallet('a', 10n),
      to: wallet('b', 0n),
      amount: 11n,
      currency: 'MWK',
    });
    expect(over).toMatchObject({ ok: false, code: 'insufficient_funds', accountId: 'a' });
  });

  it.each(['funding', 'cash'] as const)('lets the %s account go negative', (type) => {
    const kind: TransferKind = type === 'cash' ? 'deposit' : 'disbursement';
    const plan = planPosting({
      kind,
      from: account({ id: 's', type, balance: 0n }),
      to: wallet('w', 0n),
      amount: 7n,
      currency: 'MWK',
    });
    expect(plan).toMatchObject({ ok: true, fromBalanceAfter: -7n, toBalanceAfter: 7n });
  });

  it('refuses an account paying itself', () => {
    const a = wallet('a', 100n);
    expect(planPosting({ kind: 'transfer', from: a, to: a, amount: 1n, currency: 'MWK' })).toMatchObject({
      ok: false,
      code: 'self_transfer',
    });
  });

  it.each([0n, -1n, MAX_MINOR_UNITS + 1n])('refuses the amount %s', (amount) => {
    expect(
      planPosting({
        kind: 'transfer',
        from: wallet('a', 100n),
        to: wallet('b', 0n),
        amount,
        currency: 'MWK',
      }),
    ).toMatchObject({ ok: false, code: 'invalid_amount' });
  });

  it.each([
    ['frozen sender', { status: 'frozen' as const }, {}, 'account_frozen', 'a'],
    ['frozen receiver', {}, { status: 'frozen' as const }, 'account_frozen', 'b'],
    ['closed sender', { status: 'closed' as const }, {}, 'account_closed', 'a'],
    ['closed receiver', {}, { status: 'closed' as const }, 'account_closed', 'b'],
    ['sender in another currency', { currency: 'USD' }, {}, 'currency_mismatch', 'a'],
    ['receiver in another currency', {}, { currency: 'USD' }, 'currency_mismatch', 'b'],
  ])('refuses a %s', (_name, fromOverrides, toOverrides, code, accountId) => {
    const plan = planPosting({
      kind: 'transfer',
      from: wallet('a', 100n, fromOverrides),
      to: wallet('b', 0n, toOverrides),
      amount: 1n,
      currency: 'MWK',
    });
    expect(plan).toMatchObject({ ok: false, code, accountId });
  });

  it('checks status before currency and funds, so one state gives one answer', () => {
    const plan = planPosting({
      kind: 'transfer',
      from: wallet('a', 0n, { status: 'frozen', currency: 'USD' }),
      to: wallet('b', 0n),
      amount: 5n,
      currency: 'MWK',
    });
    expect(plan).toMatchObject({ ok: false, code: 'account_frozen' });
  });

  it('moves each kind only between the account types it names', () => {
    const types = ACCOUNT_TYPES;
    for (const [kind, route] of Object.entries(TRANSFER_ROUTES) as [
      TransferKind,
      (typeof TRANSFER_ROUTES)[TransferKind],
    ][]) {
      for (const fromType of types) {
        for (const toType of types) {
          const plan = planPosting({
            kind,
            from: account({ id: 'a', type: fromType, balance: 100n }),
            to: account({ id: 'b', type: toType, balance: 0n }),
            amount: 1n,
            currency: 'MWK',
          });
          const allowed = fromType === route.from && route.to.includes(toType);
          expect(plan.ok, `${kind} ${fromType} → ${toType}`).toBe(allowed);
          if (!allowed) expect(plan).toMatchObject({ code: 'account_type_not_allowed' });
        }
      }
    }
  });

  it('pays an institution account only by disbursement from funding, and takes money out of it by nothing', () => {
    const allowed: string[] = [];
    for (const kind of Object.keys(TRANSFER_ROUTES) as TransferKind[]) {
      for (const other of ACCOUNT_TYPES) {
        const institution = account({ id: 'i', type: 'institution', balance: 1_000n });
        const counterpart = account({ id: 'o', type: other, balance: 1_000n });
        if (planPosting({ kind, from: institution, to: counterpart, amount: 1n, currency: 'MWK' }).ok) {
          allowed.push(`${kind}: institution → ${other}`);
        }
        if (planPosting({ kind, from: counterpart, to: institution, amount: 1n, currency: 'MWK' }).ok) {
          allowed.push(`${kind}: ${other} → institution`);
        }
      }
    }
    expect(allowed).toEqual(['disbursement: funding → institution']);
  });

  it('keeps every balance within ±(2^53 − 1)', () => {
    const full = planPosting({
      kind: 'transfer',
      from: wallet('a', 10n),
      to: wallet('b', MAX_MINOR_UNITS - 5n),
      amount: 6n,
      currency: 'MWK',
    });
    expect(full).toMatchObject({ ok: false, code: 'balance_limit_exceeded' });
    const deep = planPosting({
      kind: 'deposit',
      from: account({ id: 'c', type: 'cash', balance: -MAX_MINOR_UNITS }),
      to: wallet('w', 0n),
      amount: 1n,
      currency: 'MWK',
    });
    expect(deep).toMatchObject({ ok: false, code: 'balance_limit_exceeded' });
  });

  it('computes with exact integers beyond what a double holds', () => {
    const plan = planPosting({
      kind: 'deposit',
      from: account({ id: 'c', type: 'cash', balance: -(MAX_MINOR_UNITS - 1n) }),
      to: wallet('w', MAX_MINOR_UNITS - 3n),
      amount: 1n,
      currency: 'MWK',
    });
    expect(plan).toMatchObject({
      ok: true,
      fromBalanceAfter: -MAX_MINOR_UNITS,
      toBalanceAfter: MAX_MINOR_UNITS - 2n,
    });
  });
});

describe('account status changes', () => {
  it('freezes, unfreezes and closes only from the right states', () => {
    expect(changeAccountStatus('active', 'freeze', 5n)).toEqual({ ok: true, status: 'frozen' });
    expect(changeAccountStatus('frozen', 'freeze', 5n)).toEqual({ ok: false, code: 'account_not_active' });
    expect(changeAccountStatus('frozen', 'unfreeze', 5n)).toEqual({ ok: true, status: 'active' });
    expect(changeAccountStatus('active', 'unfreeze', 5n)).toEqual({ ok: false, code: 'account_not_frozen' });
    expect(changeAccountStatus('frozen', 'close', 0n)).toEqual({ ok: true, status: 'closed' });
    expect(changeAccountStatus('active', 'close', 0n)).toEqual({ ok: true, status: 'closed' });
  });

  it('closes only at a zero balance, and never changes a closed account', () => {
    expect(changeAccountStatus('active', 'close', 1n)).toEqual({ ok: false, code: 'balance_not_zero' });
    expect(changeAccountStatus('active', 'close', -1n)).toEqual({ ok: false, code: 'balance_not_zero' });
    for (const action of ['freeze', 'unfreeze', 'close'] as const) {
      expect(changeAccountStatus('closed', action, 0n)).toEqual({ ok: false, code: 'account_closed' });
    }
  });

  it('lets only system accounts go negative', () => {
    expect(mayGoNegative('wallet')).toBe(false);
    expect(mayGoNegative('funding')).toBe(true);
    expect(mayGoNegative('cash')).toBe(true);
    expect(mayGoNegative('institution')).toBe(false);
  });
});

describe('planRelease', () => {
  const money = (amountMinor: string, currency = 'MWK') => ({ amountMinor, currency });
  const institutionId = '01900000-0000-7000-8000-000000000001';

  it('posts tuition to the institution and upkeep to the wallet, and no leg of zero', () => {
    expect(planRelease({ institutionId, tuition: money('300'), upkeep: money('45') })).toEqual({
      ok: true,
      currency: 'MWK',
      legs: [
        { name: 'tuition', amount: 300n, institutionId },
        { name: 'upkeep', amount: 45n },
      ],
    });
    expect(planRelease({ institutionId, tuition: money('0'), upkeep: money('45') })).toEqual({
      ok: true,
      currency: 'MWK',
      legs: [{ name: 'upkeep', amount: 45n }],
    });
    expect(
      planRelease({ institutionId: null, tuition: money('0', 'USD'), upkeep: money('9', 'USD') }),
    ).toEqual({ ok: true, currency: 'USD', legs: [{ name: 'upkeep', amount: 9n }] });
  });

  it('refuses a tranche of nothing, beyond the exact range, in two currencies, or tuition without a payee', () => {
    const reason = (request: Parameters<typeof planRelease>[0]) => {
      const plan = planRelease(request);
      return plan.ok ? 'ok' : plan.reason;
    };
    expect(reason({ institutionId, tuition: money('0'), upkeep: money('0') })).toBe('invalid_amount');
    expect(reason({ institutionId, tuition: money('9007199254740992'), upkeep: money('0') })).toBe(
      'invalid_amount',
    );
    expect(reason({ institutionId, tuition: money('1'), upkeep: money('1', 'USD') })).toBe(
      'currency_mismatch',
    );
    expect(reason({ institutionId: null, tuition: money('1'), upkeep: money('1') })).toBe(
      'institution_required',
    );
  });

  it("names the account whose state refused a leg, and passes other rules' codes through", () => {
    expect(refusalReason('account_frozen', 'wallet')).toBe('wallet_frozen');
    expect(refusalReason('account_closed', 'institution')).toBe('institution_account_closed');
    expect(refusalReason('account_frozen', 'funding')).toBe('funding_account_frozen');
    expect(refusalReason('balance_limit_exceeded', undefined)).toBe('balance_limit_exceeded');
  });
});

describe('cards', () => {
  it('keeps only brand, last four digits and an expiry three years on', () => {
    const digits = [4, 2, 4, 2];
    const details = newCardDetails('visa', new Date('2026-11-22T10:00:00Z'), () => digits.shift() ?? 0);
    expect(details).toEqual({ brand: 'visa', lastFour: '4242', expiryMonth: 11, expiryYear: 2029 });
    expect(newCardDetails('mastercard', new Date('2026-12-31T23:59:59Z'), () => 7)).toMatchObject({
      expiryMonth: 12,
      expiryYear: 2029,
      lastFour: '7777',
    });
    expect(newCardDetails('visa', new Date('2026-01-01T00:00:00Z'), () => 0)).toMatchObject({
      expiryMonth: 1,
      expiryYear: 2029,
    });
  });

  it('freezes, unfreezes and cancels; a cancelled card never changes again', () => {
    expect(changeCardStatus('active', 'freeze')).toEqual({ ok: true, status: 'frozen' });
    expect(changeCardStatus('frozen', 'freeze')).toEqual({ ok: false, code: 'card_not_active' });
    expect(changeCardStatus('frozen', 'unfreeze')).toEqual({ ok: true, status: 'active' });
    expect(changeCardStatus('active', 'unfreeze')).toEqual({ ok: false, code: 'card_not_frozen' });
    expect(changeCardStatus('frozen', 'cancel')).toEqual({ ok: true, status: 'cancelled' });
    expect(changeCardStatus('cancelled', 'unfreeze')).toEqual({ ok: false, code: 'card_cancelled' });
  });
});

describe('money', () => {
  it('reads database BIGINT strings exactly, and refuses anything inexact', () => {
    expect(minorUnits('9007199254740993')).toBe(9007199254740993n);
    expect(minorUnits('-42')).toBe(-42n);
    expect(minorUnits(12)).toBe(12n);
    expect(() => minorUnits(1.5)).toThrow(RangeError);
    expect(() => minorUnits(2 ** 53)).toThrow(RangeError);
    expect(() => minorUnits('1e3')).toThrow(RangeError);
    expect(() => minorUnits('10.0')).toThrow(RangeError);
  });

  it('writes only exact JSON numbers', () => {
    expect(toJsonAmount(MAX_MINOR_UNITS)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toJsonAmount(MAX_MINOR_UNITS + 1n)).toThrow(RangeError);
  });

  it('calls a currency balanced only when balances net to zero and debits equal credits', () => {
    expect(currencyBalanced({ balanceTotal: '0', debitTotal: '10', creditTotal: '10' })).toBe(true);
    expect(currencyBalanced({ balanceTotal: '1', debitTotal: '10', creditTotal: '10' })).toBe(false);
    expect(
      currencyBalanced({
        balanceTotal: '0',
        debitTotal: '9007199254740993',
        creditTotal: '9007199254740992',
      }),
    ).toBe(false);
  });
});
