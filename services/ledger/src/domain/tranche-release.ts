import type { AccountType } from './accounts.js';
import { MAX_MINOR_UNITS, minorUnits } from './money.js';
import type { RejectionCode } from './posting.js';

export type LegName = 'tuition' | 'upkeep';

/**
 * One movement of a release: tuition to the institution's account, upkeep to the student's wallet. The
 * amount is positive: a leg of zero is not posted at all.
 */
export type ReleaseLeg =
  | { name: 'tuition'; amount: bigint; institutionId: string }
  | { name: 'upkeep'; amount: bigint };

export interface ReleaseRequest {
  institutionId: string | null;
  tuition: { amountMinor: string; currency: string };
  upkeep: { amountMinor: string; currency: string };
}

export type ReleasePlan =
  | { ok: true; currency: string; legs: ReleaseLeg[] }
  | { ok: false; reason: 'invalid_amount' | 'currency_mismatch' | 'institution_required' };

/**
 * What a release request asks the ledger to post, before any account is read. A tranche is in one
 * currency; a leg of zero posts nothing, but a tranche of nothing at all is a mistake, not a release.
 */
export function planRelease(request: ReleaseRequest): ReleasePlan {
  const tuition = minorUnits(request.tuition.amountMinor);
  const upkeep = minorUnits(request.upkeep.amountMinor);
  if (tuition > MAX_MINOR_UNITS || upkeep > MAX_MINOR_UNITS || tuition + upkeep === 0n) {
    return { ok: false, reason: 'invalid_amount' };
  }
  if (request.tuition.currency !== request.upkeep.currency) return { ok: false, reason: 'currency_mismatch' };
  const legs: ReleaseLeg[] = [];
  if (tuition > 0n) {
    if (request.institutionId === null) return { ok: false, reason: 'institution_required' };
    legs.push({ name: 'tuition', amount: tuition, institutionId: request.institutionId });
  }
  if (upkeep > 0n) legs.push({ name: 'upkeep', amount: upkeep });
  return { ok: true, currency: request.tuition.currency, legs };
}

/** Whose state refused a leg, in the reason code: `wallet_frozen` tells an admin what to fix before a retry. */
const ACCOUNT_NAMES: Record<AccountType, string> = {
  wallet: 'wallet',
  institution: 'institution_account',
  funding: 'funding_account',
  cash: 'cash_account',
};

/** The reason code of tranche.releaseFailed for a leg the posting rules refused. */
export function refusalReason(code: RejectionCode, accountType: AccountType | undefined): string {
  if ((code === 'account_frozen' || code === 'account_closed') && accountType) {
    return `${ACCOUNT_NAMES[accountType]}_${code.slice('account_'.length)}`;
  }
  return code;
}
