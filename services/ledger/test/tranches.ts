import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import type { LedgerHarness } from './harness.js';

/** What loans would put in a tranche.releaseRequested@1; amounts in minor units, as strings. */
export interface ReleaseFields {
  studentId: string;
  institutionId: string | null;
  tuition: string;
  upkeep: string;
  currency?: string;
  loanId?: string;
  trancheId?: string;
  number?: number;
}

export function releaseRequested(fields: ReleaseFields) {
  const currency = fields.currency ?? 'MWK';
  return {
    id: uuidv7(),
    type: 'tranche.releaseRequested',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'loans',
    data: {
      loanId: fields.loanId ?? randomUUID(),
      studentId: fields.studentId,
      trancheId: fields.trancheId ?? randomUUID(),
      number: fields.number ?? 1,
      institutionId: fields.institutionId,
      tuition: { amountMinor: fields.tuition, currency },
      upkeep: { amountMinor: fields.upkeep, currency },
      businessDate: '2026-09-01',
    },
  };
}

export type ReleaseEnvelope = ReturnType<typeof releaseRequested>;

/** The same request delivered as a new event (loans asking again), not a redelivery of the first. */
export const askedAgain = (envelope: ReleaseEnvelope): ReleaseEnvelope => ({ ...envelope, id: uuidv7() });

export function releaseTools(h: LedgerHarness) {
  const db = h.deps.db;
  return {
    deliver: (envelope: Parameters<LedgerHarness['deliver']>[0]) => h.deliver(envelope),

    /** What the ledger announced about a loan, in order. */
    async outboxFor(loanId: string) {
      const rows = await db
        .selectFrom('outbox')
        .select(['type', 'payload'])
        .where('aggregate_key', '=', loanId)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({ type: row.type, data: JSON.parse(row.payload) }));
    },

    /** The transfers a tranche's legs posted, tuition first. */
    legsOf: (trancheId: string) =>
      db
        .selectFrom('transfers')
        .selectAll()
        .where('idempotency_key', 'in', [`${trancheId}:tuition`, `${trancheId}:upkeep`])
        .orderBy('idempotency_key')
        .execute(),

    async fundingBalance(currency = 'MWK') {
      const row = await db
        .selectFrom('accounts')
        .select('balance')
        .where('type', '=', 'funding')
        .where('currency', '=', currency)
        .executeTakeFirstOrThrow();
      return BigInt(row.balance);
    },

    institutionAccounts: (institutionId: string) =>
      db
        .selectFrom('accounts')
        .selectAll()
        .where('type', '=', 'institution')
        .where('owner_key', '=', institutionId)
        .orderBy('currency')
        .execute(),

    accountsOf: (userId: string) =>
      db.selectFrom('accounts').selectAll().where('owner_id', '=', userId).execute(),

    async balanceOfAccount(id: string) {
      const row = await db.selectFrom('accounts').select('balance').where('id', '=', id).executeTakeFirst();
      return row ? BigInt(row.balance) : undefined;
    },
  };
}
