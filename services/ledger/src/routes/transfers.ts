import {
  afterIdOf,
  bearerSecurity,
  createRouter,
  Forbidden,
  IdempotencyKeyHeaderSchema,
  idempotencyClaimOf,
  jsonBody,
  NotFound,
  oneOfFields,
  pageById,
  pageQuerySchema,
  principalOf,
  problemResponses,
  requireExactIntegers,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { findSystemAccount, findWallet } from '../db/accounts.js';
import { getTransfer, listTransfers, transferNotFound } from '../db/transfers.js';
import type { LedgerDeps } from '../deps.js';
import { minorUnits } from '../domain/money.js';
import { TRANSFER_KINDS } from '../domain/posting.js';
import { noSystemAccount } from '../errors.js';
import { moveMoney, transferLocation } from '../move-money.js';
import { heldAccount, isStaff, visibleAccount } from './access.js';
import {
  AmountSchema,
  CurrencySchema,
  pageSchema,
  ReferenceSchema,
  TransferIdParamSchema,
  TransferSchema,
  toTransfer,
} from './schemas.js';

const TransferRequestSchema = oneOfFields(
  z.strictObject({
    fromAccountId: z.uuid().openapi({ description: 'Your account to pay from.' }),
    toAccountId: z.uuid().optional().openapi({ description: 'The account to pay into…' }),
    toUserId: z
      .uuid()
      .optional()
      .openapi({ description: '…or the user whose wallet in this currency to pay into.' }),
    amount: AmountSchema,
    currency: CurrencySchema.openapi({ description: 'Must be the currency of both accounts.' }),
    reference: ReferenceSchema,
  }),
  ['toAccountId', 'toUserId'],
  { required: true, message: 'give exactly one of toAccountId and toUserId' },
).openapi('TransferRequest');

const CashMovementSchema = z
  .strictObject({
    accountId: z.uuid().openapi({ description: 'The wallet.' }),
    amount: AmountSchema,
    currency: CurrencySchema.openapi({ description: "Must be the wallet's currency." }),
    reference: ReferenceSchema,
  })
  .openapi('CashMovement');

const ListQuerySchema = pageQuerySchema.extend({
  accountId: z.uuid().optional().openapi({ description: 'Only transfers into or out of this account.' }),
  userId: z
    .uuid()
    .optional()
    .openapi({ description: "Staff: only transfers into or out of this user's accounts." }),
  kind: z.enum(TRANSFER_KINDS).optional(),
});

const transferCreated = {
  description:
    'Done: the money moved. A replay (same key and body) answers the same, with Idempotent-Replayed.',
  headers: {
    Location: { schema: { type: 'string' as const } },
    'Idempotent-Replayed': {
      schema: { type: 'string' as const },
      description: '"true" when this repeats an earlier response.',
    },
  },
  content: { 'application/json': { schema: TransferSchema } },
};

const moneyProblems = problemResponses(400, 401, 403, 404, 409, 422, 503);

const create = createRoute({
  method: 'post',
  path: '/transfers',
  tags: ['transfers'],
  summary: "Pay from your account into another account, or into a user's wallet (Idempotency-Key required)",
  description:
    '{ fromAccountId, toAccountId | toUserId, amount, currency, reference? }: to a user, into their wallet in that currency.',
  security: bearerSecurity,
  request: { headers: IdempotencyKeyHeaderSchema, body: jsonBody(TransferRequestSchema) },
  responses: { 201: transferCreated, ...moneyProblems },
});

const deposit = createRoute({
  method: 'post',
  path: '/deposits',
  tags: ['transfers'],
  summary: 'Record cash paid into a wallet (admin; Idempotency-Key required)',
  security: bearerSecurity,
  request: { headers: IdempotencyKeyHeaderSchema, body: jsonBody(CashMovementSchema) },
  responses: { 201: transferCreated, ...moneyProblems },
});

const withdraw = createRoute({
  method: 'post',
  path: '/withdrawals',
  tags: ['transfers'],
  summary: 'Take money out of your wallet (Idempotency-Key required)',
  security: bearerSecurity,
  request: { headers: IdempotencyKeyHeaderSchema, body: jsonBody(CashMovementSchema) },
  responses: { 201: transferCreated, ...moneyProblems },
});

const list = createRoute({
  method: 'get',
  path: '/transfers',
  tags: ['transfers'],
  summary: 'Transfers, newest first: into or out of your accounts, or any for staff (filtered)',
  security: bearerSecurity,
  request: { query: ListQuerySchema },
  responses: {
    200: {
      description: 'A page of transfers.',
      content: { 'application/json': { schema: pageSchema(TransferSchema, 'TransferPage') } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/transfers/{id}',
  tags: ['transfers'],
  summary: 'One transfer (either party, or staff)',
  security: bearerSecurity,
  request: { params: TransferIdParamSchema },
  responses: {
    200: { description: 'The transfer.', content: { 'application/json': { schema: TransferSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

export function transferRoutes(deps: LedgerDeps) {
  const { db } = deps;
  const callerScope = (c: Context) => principalOf(c).userId;
  /** Money moves once per key: auth, exact integers, then the caller's Idempotency-Key. */
  const moving = (...roles: ('admin' | 'agent' | 'student')[]) => [
    deps.guards.require(...roles),
    requireExactIntegers(),
    deps.idempotency.require(callerScope),
  ];
  const signedIn = [deps.guards.require()];
  /** A user moving their own money must have verified their e-mail (REQUIRE_VERIFIED_EMAIL, issue 9). */
  const movingOwnMoney = () => [
    deps.guards.require(),
    deps.guards.requireVerifiedEmail(),
    requireExactIntegers(),
    deps.idempotency.require(callerScope),
  ];

  /** Moves the money once under the request's idempotency claim; answers with the transfer and its Location. */
  const move = async (
    c: Context,
    kind: 'transfer' | 'deposit' | 'withdrawal',
    fromAccountId: string,
    toAccountId: string,
    body: { amount: number; currency: string; reference?: string | undefined },
  ) => {
    const claim = idempotencyClaimOf(c);
    const { transfer } = await moveMoney(
      deps,
      {
        kind,
        fromAccountId,
        toAccountId,
        amount: minorUnits(body.amount),
        currency: body.currency,
        reference: body.reference ?? null,
        loanId: null,
        initiator: principalOf(c).userId,
        idempotencyKey: claim.key,
      },
      claim,
    );
    c.header('Location', transferLocation(transfer.id));
    return toTransfer(transfer);
  };
  const cashAccount = async (currency: string) => {
    const cash = await findSystemAccount(db, 'cash', currency);
    if (!cash) throw noSystemAccount('cash', currency);
    return cash;
  };

  return createRouter()
    .openapi({ ...create, middleware: movingOwnMoney() }, async (c) => {
      const body = c.req.valid('json');
      const caller = principalOf(c);
      const from = await heldAccount(db, caller, body.fromAccountId);
      let toAccountId = body.toAccountId;
      if (body.toUserId !== undefined) {
        const wallet = await findWallet(db, body.toUserId, body.currency);
        if (!wallet) {
          throw new NotFound('recipient_wallet_not_found', `That user has no ${body.currency} wallet.`);
        }
        toAccountId = wallet.id;
      }
      return c.json(await move(c, 'transfer', from.id, toAccountId as string, body), 201);
    })
    .openapi({ ...deposit, middleware: moving('admin') }, async (c) => {
      const body = c.req.valid('json');
      const cash = await cashAccount(body.currency);
      return c.json(await move(c, 'deposit', cash.id, body.accountId, body), 201);
    })
    .openapi({ ...withdraw, middleware: movingOwnMoney() }, async (c) => {
      const body = c.req.valid('json');
      const wallet = await heldAccount(db, principalOf(c), body.accountId);
      const cash = await cashAccount(body.currency);
      return c.json(await move(c, 'withdrawal', wallet.id, cash.id, body), 201);
    })
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const query = c.req.valid('query');
      const staff = isStaff(caller);
      if (!staff && query.userId && query.userId !== caller.userId) {
        throw new Forbidden('role_not_allowed', "Only staff may list other people's transfers.");
      }
      if (query.accountId) await visibleAccount(db, caller, query.accountId);
      const rows = await listTransfers(db, {
        accountId: query.accountId,
        userId: staff ? query.userId : caller.userId,
        kind: query.kind,
        limit: query.limit,
        after: afterIdOf(query.cursor),
      });
      return c.json(pageById(rows, query.limit, toTransfer), 200);
    })
    .openapi({ ...getOne, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const row = await getTransfer(db, c.req.valid('param').id);
      const party = row.from_user_id === caller.userId || row.to_user_id === caller.userId;
      if (!party && !isStaff(caller)) throw transferNotFound();
      return c.json(toTransfer(row), 200);
    });
}
