import {
  createRouter,
  idempotencyClaimOf,
  problemResponses,
  requireExactIntegers,
  requireInternalSignature,
  uuidv7,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { accountNotFound, findSystemAccount, findWallet, openWalletIfMissing } from '../db/accounts.js';
import { PLATFORM_INITIATOR } from '../db/schema.js';
import type { LedgerDeps } from '../deps.js';
import { minorUnits } from '../domain/money.js';
import { noSystemAccount } from '../errors.js';
import { moveMoney, transferLocation } from '../move-money.js';
import { AmountSchema, CurrencySchema, ReferenceSchema, TransferSchema, toTransfer } from './schemas.js';

const PlatformTransferSchema = z.strictObject({
  kind: z.enum(['disbursement', 'repayment']).openapi({
    description:
      "disbursement: the currency's funding account → the user's wallet (opened if needed). " +
      "repayment: the user's wallet → the funding account.",
  }),
  userId: z.uuid(),
  loanId: z.uuid(),
  amount: AmountSchema,
  currency: CurrencySchema,
  reference: ReferenceSchema,
});

const create = createRoute({
  method: 'post',
  path: '/transfers',
  tags: ['internal'],
  summary: 'Move money for the platform: disbursements and repayments (signed; Idempotency-Key required)',
  // Internal routes stay out of the public API document: the edge never routes them.
  hide: true,
  request: { body: { required: true, content: { 'application/json': { schema: PlatformTransferSchema } } } },
  responses: {
    201: { description: 'Done.', content: { 'application/json': { schema: TransferSchema } } },
    ...problemResponses(400, 401, 404, 409, 422, 503),
  },
});

/** `POST /internal/transfers`, for services that move money without a user's token (loans). */
export function internalTransferRoutes(deps: LedgerDeps) {
  const { db, config } = deps;
  const middleware = [
    requireInternalSignature({
      secrets: config.INTERNAL_SECRETS,
      maxSkewSeconds: config.INTERNAL_SIGNATURE_MAX_SKEW_SECONDS,
    }),
    requireExactIntegers(),
    deps.idempotency.require(() => PLATFORM_INITIATOR),
  ];

  return createRouter().openapi({ ...create, middleware }, async (c) => {
    const claim = idempotencyClaimOf(c);
    const body = c.req.valid('json');
    const funding = await findSystemAccount(db, 'funding', body.currency);
    if (!funding) throw noSystemAccount('funding', body.currency);
    const now = deps.now();
    const wallet =
      body.kind === 'disbursement'
        ? await openWalletIfMissing(db, {
            id: uuidv7(now.getTime()),
            ownerId: body.userId,
            currency: body.currency,
            now,
          })
        : await findWallet(db, body.userId, body.currency);
    if (!wallet) throw accountNotFound();
    const [from, to] = body.kind === 'disbursement' ? [funding, wallet] : [wallet, funding];
    const { transfer } = await moveMoney(
      deps,
      {
        kind: body.kind,
        fromAccountId: from.id,
        toAccountId: to.id,
        amount: minorUnits(body.amount),
        currency: body.currency,
        reference: body.reference ?? null,
        loanId: body.loanId,
        initiator: PLATFORM_INITIATOR,
        idempotencyKey: claim.key,
      },
      claim,
    );
    c.header('Location', transferLocation(transfer.id));
    return c.json(toTransfer(transfer), 201);
  });
}
