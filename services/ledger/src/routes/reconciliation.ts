import { bearerSecurity, createRouter, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { LedgerDeps } from '../deps.js';
import { runReconciliation } from '../reconciliation.js';

const ExactSum = z.string().openapi({
  description: 'Minor units as an exact decimal string (a sum may exceed what a JSON number holds).',
  example: '0',
});

const ReconciliationSchema = z
  .object({
    checkedAt: z.iso.datetime(),
    balanced: z.boolean().openapi({ description: 'True when every check below passed.' }),
    currencies: z.array(
      z.object({
        currency: z.string(),
        accounts: z.number().int(),
        balanceTotal: ExactSum.openapi({ description: 'Sum of every balance: 0 when sound.' }),
        debitTotal: ExactSum,
        creditTotal: ExactSum,
        balanced: z.boolean(),
      }),
    ),
    mismatchedAccounts: z
      .array(
        z.object({ accountId: z.uuid(), currency: z.string(), balance: ExactSum, entriesTotal: ExactSum }),
      )
      .openapi({ description: 'Accounts whose stored balance differs from their entries (at most 100).' }),
    unbalancedTransfers: z.array(z.uuid()).openapi({
      description: 'Transfers whose entries are not one debit and one equal credit (at most 100).',
    }),
  })
  .openapi('Reconciliation');

const check = createRoute({
  method: 'get',
  path: '/ledger/reconciliation',
  tags: ['ledger'],
  summary:
    'Check the ledger against itself: totals per currency, and any account that disagrees with its entries (admin)',
  description:
    'Per currency, balances sum to zero and debits equal credits; any account whose balance differs from its entries is listed.',
  security: bearerSecurity,
  responses: {
    200: { description: 'The result.', content: { 'application/json': { schema: ReconciliationSchema } } },
    ...problemResponses(401, 403),
  },
});

export function reconciliationRoutes(deps: LedgerDeps) {
  return createRouter().openapi({ ...check, middleware: [deps.guards.require('admin')] }, async (c) =>
    c.json(await runReconciliation(deps), 200),
  );
}
