import {
  afterIdOf,
  bearerSecurity,
  Conflict,
  createRouter,
  etagFor,
  Forbidden,
  IfMatchHeaderSchema,
  jsonBody,
  pageById,
  pageQuerySchema,
  principalOf,
  problemResponses,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { cardNotFound, changeCard, getCard, issueCard, listCards } from '../db/cards.js';
import type { LedgerDeps } from '../deps.js';
import { CARD_BRANDS, type CardAction, newCardDetails } from '../domain/cards.js';
import { heldAccount, visibleAccount } from './access.js';
import { AccountIdParamSchema, CardIdParamSchema, CardSchema, pageSchema, toCard } from './schemas.js';

const IssueCardSchema = z.strictObject({ brand: z.enum(CARD_BRANDS).default('visa') }).openapi('IssueCard');

const cardResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const }, description: 'The card version, for If-Match.' } },
  content: { 'application/json': { schema: CardSchema } },
});

const issue = createRoute({
  method: 'post',
  path: '/accounts/{id}/cards',
  tags: ['cards'],
  summary: 'Issue a virtual card on your active wallet',
  description: '{ brand?: visa | mastercard }; only the brand, the last four digits and the expiry are kept.',
  security: bearerSecurity,
  request: { params: AccountIdParamSchema, body: jsonBody(IssueCardSchema) },
  responses: { 201: cardResponse('Issued.'), ...problemResponses(400, 401, 403, 404, 409) },
});

const list = createRoute({
  method: 'get',
  path: '/accounts/{id}/cards',
  tags: ['cards'],
  summary: "A wallet's cards, newest first (its holder, or staff)",
  security: bearerSecurity,
  request: { params: AccountIdParamSchema, query: pageQuerySchema },
  responses: {
    200: {
      description: 'A page of cards.',
      content: { 'application/json': { schema: pageSchema(CardSchema, 'CardPage') } },
    },
    ...problemResponses(400, 401, 404),
  },
});

const statusChange = (action: CardAction, summary: string) =>
  createRoute({
    method: 'post',
    path: `/cards/{id}/${action}`,
    tags: ['cards'],
    summary,
    security: bearerSecurity,
    request: { params: CardIdParamSchema, headers: IfMatchHeaderSchema },
    responses: {
      200: cardResponse('The card with its new status.'),
      ...problemResponses(400, 401, 403, 404, 409, 412, 428),
    },
  });

export function cardRoutes(deps: LedgerDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];

  const router = createRouter()
    .openapi({ ...issue, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const account = await heldAccount(db, caller, c.req.valid('param').id);
      if (account.type !== 'wallet') throw new Conflict('not_a_wallet', 'Cards are issued on wallets only.');
      const now = deps.now();
      const card = await issueCard(db, {
        id: uuidv7(now.getTime()),
        accountId: account.id,
        ownerId: caller.userId,
        details: newCardDetails(c.req.valid('json').brand, now, deps.randomDigit),
        now,
        limit: deps.config.MAX_CARDS_PER_WALLET,
      });
      c.header('ETag', etagFor(card.version));
      return c.json(toCard(card), 201);
    })
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const account = await visibleAccount(db, principalOf(c), c.req.valid('param').id);
      const query = c.req.valid('query');
      const rows = await listCards(db, {
        accountId: account.id,
        limit: query.limit,
        after: afterIdOf(query.cursor),
      });
      return c.json(pageById(rows, query.limit, toCard), 200);
    });

  const actions: [CardAction, string][] = [
    ['freeze', 'Freeze a card (its holder, or an admin; If-Match required)'],
    ['unfreeze', 'Unfreeze a card (its holder, or an admin; If-Match required)'],
    ['cancel', 'Cancel a card for good (its holder, or an admin; If-Match required)'],
  ];
  for (const [action, summary] of actions) {
    router.openapi({ ...statusChange(action, summary), middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const card = await getCard(db, c.req.valid('param').id);
      const holder = card.owner_id === caller.userId;
      if (!holder && caller.role === 'student') throw cardNotFound();
      if (!holder && caller.role !== 'admin') {
        throw new Forbidden('not_card_holder', "Only the card's holder or an admin may change it.");
      }
      const expected = versionFromIfMatch(c);
      const changed = await changeCard(db, card, expected, action, deps.now());
      c.header('ETag', etagFor(changed.version));
      return c.json(toCard(changed), 200);
    });
  }
  return router;
}
