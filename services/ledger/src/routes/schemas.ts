import { z } from '@hono/zod-openapi';
import type { AccountRow, CardRow, TransferRow } from '../db/schema.js';
import type { StatementLine } from '../db/statement.js';
import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from '../domain/accounts.js';
import { CARD_BRANDS, CARD_STATUSES } from '../domain/cards.js';
import { CURRENCY_CODE, minorUnits, toJsonAmount } from '../domain/money.js';
import { TRANSFER_KINDS } from '../domain/posting.js';

/**
 * Money in: a positive whole number of minor units, at most 2^53 − 1. The body
 * is first checked as text (requireExactIntegers), so 10.0, 1e3 and numbers
 * JSON would round never reach this schema as integers.
 */
export const AmountSchema = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({
    description:
      'Minor units (1 MWK = 100 tambala): a positive whole number written as digits, at most 2^53 − 1. ' +
      'Fractions, exponents and strings are refused.',
    example: 250000,
  });

export const CurrencySchema = z
  .string()
  .regex(CURRENCY_CODE, { error: 'must be an ISO 4217 code such as MWK' })
  .openapi({ example: 'MWK' });

export const ReferenceSchema = z.string().trim().min(1).max(140).optional().openapi({
  description: 'A note shown on both statements (at most 140 characters).',
  example: 'Rent, March',
});

const MoneyOutSchema = z.number().int().openapi({ description: 'Minor units.' });

export const AccountIdParamSchema = z.object({
  id: z.uuid({ error: 'must be an account id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
export const CardIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a card id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
export const TransferIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a transfer id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});

export const AccountSchema = z
  .object({
    id: z.uuid(),
    ownerId: z
      .uuid()
      .nullable()
      .openapi({ description: "The holder's user id; null for system and institution accounts." }),
    institutionId: z.uuid().nullable().openapi({
      description: "An institution account's institution (the payee of tuition); null for the others.",
    }),
    type: z.enum(ACCOUNT_TYPES).openapi({
      description:
        "wallet: a user's. funding, cash: the platform's, per currency. institution: an institution's, " +
        'opened by its first tranche release; it only receives, and only staff see it.',
    }),
    currency: z.string(),
    status: z.enum(ACCOUNT_STATUSES),
    balance: MoneyOutSchema,
    version: z.number().int().openapi({ description: 'Counts status changes; the ETag is "v<version>".' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Account');

export function toAccount(row: AccountRow): z.infer<typeof AccountSchema> {
  return {
    id: row.id,
    ownerId: row.owner_id,
    institutionId: row.type === 'institution' ? row.owner_key : null,
    type: row.type,
    currency: row.currency,
    status: row.status,
    balance: toJsonAmount(minorUnits(row.balance)),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const TransferSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(TRANSFER_KINDS),
    fromAccountId: z.uuid().openapi({ description: 'The account debited.' }),
    toAccountId: z.uuid().openapi({ description: 'The account credited.' }),
    fromUserId: z.uuid().nullable(),
    toUserId: z.uuid().nullable(),
    amount: MoneyOutSchema,
    currency: z.string(),
    reference: z.string().nullable(),
    loanId: z.uuid().nullable(),
    initiatedBy: z.string().openapi({ description: "The user who moved the money, or 'platform'." }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Transfer');

export type Transfer = z.infer<typeof TransferSchema>;

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    kind: row.kind,
    fromAccountId: row.debit_account_id,
    toAccountId: row.credit_account_id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    amount: toJsonAmount(minorUnits(row.amount)),
    currency: row.currency,
    reference: row.reference,
    loanId: row.loan_id,
    initiatedBy: row.initiator,
    createdAt: row.created_at.toISOString(),
  };
}

export const StatementLineSchema = z
  .object({
    id: z.string().openapi({ description: 'The entry id.' }),
    transferId: z.uuid(),
    kind: z.enum(TRANSFER_KINDS),
    direction: z.enum(['debit', 'credit']).openapi({ description: 'debit: money out; credit: money in.' }),
    amount: MoneyOutSchema,
    balanceAfter: MoneyOutSchema,
    counterpartyAccountId: z.uuid(),
    reference: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('StatementLine');

export function toStatementLine(accountId: string, line: StatementLine): z.infer<typeof StatementLineSchema> {
  return {
    id: line.id,
    transferId: line.transfer_id,
    kind: line.kind,
    direction: line.direction,
    amount: toJsonAmount(minorUnits(line.amount)),
    balanceAfter: toJsonAmount(minorUnits(line.balance_after)),
    counterpartyAccountId:
      line.debit_account_id === accountId ? line.credit_account_id : line.debit_account_id,
    reference: line.reference,
    createdAt: line.created_at.toISOString(),
  };
}

export const CardSchema = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    brand: z.enum(CARD_BRANDS),
    lastFour: z.string().openapi({ example: '4242' }),
    expiryMonth: z.number().int().min(1).max(12),
    expiryYear: z.number().int(),
    status: z.enum(CARD_STATUSES),
    version: z.number().int().openapi({ description: 'The ETag is "v<version>".' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Card', { description: 'A virtual card. Only its brand, last four digits and expiry are kept.' });

export function toCard(row: CardRow): z.infer<typeof CardSchema> {
  return {
    id: row.id,
    accountId: row.account_id,
    brand: row.brand,
    lastFour: row.last_four,
    expiryMonth: row.expiry_month,
    expiryYear: row.expiry_year,
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const pageSchema = <Item extends z.ZodType>(item: Item, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
