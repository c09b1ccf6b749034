import {
  afterIdOf,
  bearerSecurity,
  createRouter,
  decodeCursor,
  etagFor,
  Forbidden,
  IfMatchHeaderSchema,
  jsonBody,
  pageById,
  pageOf,
  pageQuery,
  pageQuerySchema,
  principalOf,
  problemResponses,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { changeStatus, findSystemAccount, getAccount, insertAccount, listAccounts } from '../db/accounts.js';
import { statementPage } from '../db/statement.js';
import type { LedgerDeps } from '../deps.js';
import {
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  type AccountAction,
  OPENABLE_ACCOUNT_TYPES,
} from '../domain/accounts.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { Unprocessable } from '../errors.js';
import { isStaff, visibleAccount } from './access.js';
import {
  AccountIdParamSchema,
  AccountSchema,
  CurrencySchema,
  pageSchema,
  StatementLineSchema,
  toAccount,
  toStatementLine,
} from './schemas.js';

const OpenAccountSchema = z
  .strictObject({
    type: z
      .enum(OPENABLE_ACCOUNT_TYPES)
      .default('wallet')
      .openapi({
        description:
          'wallet: your own (students). funding or cash: the system accounts of a currency (admins). ' +
          "An institution's account is opened by its first tranche release, never here.",
      }),
    currency: CurrencySchema.optional().openapi({ description: 'Defaults to the platform currency (MWK).' }),
  })
  .openapi('OpenAccount');

const ListQuerySchema = pageQuerySchema.extend({
  ownerId: z.uuid().optional().openapi({ description: "Staff: one holder's accounts." }),
  institutionId: z
    .uuid()
    .optional()
    .openapi({ description: "Staff: one institution's accounts (the payee of tuition)." }),
  type: z.enum(ACCOUNT_TYPES).optional(),
  currency: CurrencySchema.optional(),
  status: z.enum(ACCOUNT_STATUSES).optional(),
});

const StatementQuerySchema = pageQuery('millis', 'serial').extend({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Entries at or after (ISO 8601).' }),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Entries before (ISO 8601); at or before `from`, the page is empty.' }),
});

const BalanceSchema = z
  .object({
    accountId: z.uuid(),
    currency: z.string(),
    balance: z.number().int().openapi({ description: 'Minor units.' }),
    status: z.enum(ACCOUNT_STATUSES),
    asOf: z.iso.datetime(),
  })
  .openapi('Balance');

const StatementSchema = z
  .object({
    accountId: z.uuid(),
    currency: z.string(),
    items: z.array(StatementLineSchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('Statement');

const accountResponse = (description: string) => ({
  description,
  headers: {
    ETag: { schema: { type: 'string' as const }, description: 'The status version, for If-Match.' },
  },
  content: { 'application/json': { schema: AccountSchema } },
});

const open = createRoute({
  method: 'post',
  path: '/accounts',
  tags: ['accounts'],
  summary: 'Open your wallet (students), or the system accounts of a new currency (admins)',
  description:
    'Students: { currency? } (MWK by default; one wallet per currency). Admins: { type: funding | cash, currency }.',
  security: bearerSecurity,
  request: { body: jsonBody(OpenAccountSchema) },
  responses: { 201: accountResponse('Opened.'), ...problemResponses(400, 401, 403, 409, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/accounts',
  tags: ['accounts'],
  summary: 'Accounts, newest first: your own, or any for staff (filtered)',
  security: bearerSecurity,
  request: { query: ListQuerySchema },
  responses: {
    200: {
      description: 'A page of accounts.',
      content: { 'application/json': { schema: pageSchema(AccountSchema, 'AccountPage') } },
    },
    ...problemResponses(400, 401, 403),
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/accounts/{id}',
  tags: ['accounts'],
  summary: 'One account (its holder, or staff)',
  security: bearerSecurity,
  request: { params: AccountIdParamSchema },
  responses: { 200: accountResponse('The account.'), ...problemResponses(400, 401, 404) },
});

const balance = createRoute({
  method: 'get',
  path: '/accounts/{id}/balance',
  tags: ['accounts'],
  summary: "An account's balance (its holder, or staff)",
  security: bearerSecurity,
  request: { params: AccountIdParamSchema },
  responses: {
    200: { description: 'The balance now.', content: { 'application/json': { schema: BalanceSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const statement = createRoute({
  method: 'get',
  path: '/accounts/{id}/statement',
  tags: ['accounts'],
  summary: "An account's entries, newest first, with the balance after each (its holder, or staff)",
  description: 'from is inclusive, to exclusive (ISO 8601).',
  security: bearerSecurity,
  request: { params: AccountIdParamSchema, query: StatementQuerySchema },
  responses: {
    200: { description: 'A page of entries.', content: { 'application/json': { schema: StatementSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const statusChange = (action: AccountAction, summary: string) =>
  createRoute({
    method: 'post',
    path: `/accounts/{id}/${action}`,
    tags: ['accounts'],
    summary,
    security: bearerSecurity,
    request: { params: AccountIdParamSchema, headers: IfMatchHeaderSchema },
    responses: {
      200: accountResponse('The account with its new status.'),
      ...problemResponses(400, 401, 403, 404, 409, 412, 428),
    },
  });

/** The statement cursor: the time (Unix ms) and line id of the last line shown; its shape is the query's. */
function statementCursor(cursor: string): { createdAt: Date; id: string } {
  const [millis, id] = decodeCursor(cursor, 2) as [string, string];
  return { createdAt: new Date(Number(millis)), id };
}

export function accountRoutes(deps: LedgerDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];
  const adminOnly = [deps.guards.require('admin')];

  const router = createRouter()
    .openapi({ ...open, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const body = c.req.valid('json');
      const currency = body.currency ?? deps.config.DEFAULT_CURRENCY;
      const now = deps.now();
      const id = uuidv7(now.getTime());
      if (body.type === 'wallet') {
        if (caller.role !== 'student') {
          throw new Forbidden(
            'role_not_allowed',
            'Wallets are for students; admins open funding or cash accounts.',
          );
        }
        if (!(await findSystemAccount(db, 'cash', currency))) {
          throw new Unprocessable('currency_not_supported', `The ledger has no ${currency} accounts yet.`);
        }
        await insertAccount(db, { id, ownerId: caller.userId, type: 'wallet', currency, now });
      } else {
        if (caller.role !== 'admin') {
          throw new Forbidden('role_not_allowed', 'Only admins open system accounts.');
        }
        await insertAccount(db, { id, ownerId: null, type: body.type, currency, now });
      }
      const row = await getAccount(db, id);
      c.header('Location', `/api/v1/accounts/${id}`);
      c.header('ETag', etagFor(row.version));
      return c.json(toAccount(row), 201);
    })
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const query = c.req.valid('query');
      if (!isStaff(caller) && query.ownerId && query.ownerId !== caller.userId) {
        throw new Forbidden('role_not_allowed', "Only staff may list other people's accounts.");
      }
      const rows = await listAccounts(db, {
        ...query,
        ownerId: isStaff(caller) ? query.ownerId : caller.userId,
        after: afterIdOf(query.cursor),
      });
      return c.json(pageById(rows, query.limit, toAccount), 200);
    })
    .openapi({ ...getOne, middleware: signedIn }, async (c) => {
      const row = await visibleAccount(db, principalOf(c), c.req.valid('param').id);
      c.header('ETag', etagFor(row.version));
      return c.json(toAccount(row), 200);
    })
    .openapi({ ...balance, middleware: signedIn }, async (c) => {
      const row = await visibleAccount(db, principalOf(c), c.req.valid('param').id);
      return c.json(
        {
          accountId: row.id,
          currency: row.currency,
          balance: toJsonAmount(minorUnits(row.balance)),
          status: row.status,
          asOf: deps.now().toISOString(),
        },
        200,
      );
    })
    .openapi({ ...statement, middleware: signedIn }, async (c) => {
      const account = await visibleAccount(db, principalOf(c), c.req.valid('param').id);
      const query = c.req.valid('query');
      const lines = await statementPage(db, {
        accountId: account.id,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        limit: query.limit,
        after: query.cursor ? statementCursor(query.cursor) : undefined,
      });
      const page = pageOf(
        lines,
        query.limit,
        (line) => [line.created_at.getTime(), line.id],
        (line) => toStatementLine(account.id, line),
      );
      return c.json({ accountId: account.id, currency: account.currency, ...page }, 200);
    });

  const actions: [AccountAction, string][] = [
    ['freeze', 'Freeze an account: it neither sends nor receives (admin; If-Match required)'],
    ['unfreeze', 'Unfreeze an account (admin; If-Match required)'],
    [
      'close',
      'Close an account with a zero balance, for good; its cards are cancelled (admin; If-Match required)',
    ],
  ];
  for (const [action, summary] of actions) {
    router.openapi({ ...statusChange(action, summary), middleware: adminOnly }, async (c) => {
      const expected = versionFromIfMatch(c);
      const row = await changeStatus(db, c.req.valid('param').id, expected, action, deps.now());
      c.header('ETag', etagFor(row.version));
      return c.json(toAccount(row), 200);
    });
  }
  return router;
}
