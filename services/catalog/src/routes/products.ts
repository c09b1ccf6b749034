import {
  bearerSecurity,
  createRouter,
  etagFor,
  FieldsRefused,
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
import { archiveProduct, getProduct, insertProduct, listProducts, updateProduct } from '../db/products.js';
import { PRODUCT_CATEGORIES, type ProductRow } from '../db/schema.js';
import type { CatalogDeps } from '../deps.js';
import { termViolations } from '../domain/product-terms.js';
import {
  type ProductFields,
  ProductFieldsSchema,
  ProductIdParamSchema,
  ProductPatchSchema,
  ProductSchema,
  toProduct,
} from './schemas.js';
import { versionedResponse } from './versioned.js';

const ProductPageSchema = z
  .object({ items: z.array(ProductSchema), nextCursor: z.string().nullable() })
  .openapi('ProductPage');
const ListQuerySchema = pageQuerySchema.extend({
  active: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only active (or only inactive) products.' }),
  category: z.enum(PRODUCT_CATEGORIES).optional(),
});
const productResponse = (description: string) => versionedResponse(description, ProductSchema);

const list = createRoute({
  method: 'get',
  path: '/products',
  tags: ['products'],
  summary: 'Loan products on offer, newest first (public)',
  description: 'Archived products never appear.',
  request: { query: ListQuerySchema },
  responses: {
    200: {
      description: 'A page of products.',
      content: { 'application/json': { schema: ProductPageSchema } },
    },
    ...problemResponses(400),
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/products/{id}',
  tags: ['products'],
  summary: 'One product, archived ones included (public)',
  description:
    "Archived products stay readable so that the loans that use them do; the answer carries the product's ETag.",
  request: { params: ProductIdParamSchema },
  responses: { 200: productResponse('The product.'), ...problemResponses(400, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/products',
  tags: ['products'],
  summary: 'Create a product (agent, admin)',
  description:
    'Amounts are whole minor units; the rate is in basis points (0–10000); the currency defaults to MWK.',
  security: bearerSecurity,
  request: { body: jsonBody(ProductFieldsSchema) },
  responses: { 201: productResponse('Created.'), ...problemResponses(400, 401, 403, 409, 422) },
});

const replace = createRoute({
  method: 'put',
  path: '/products/{id}',
  tags: ['products'],
  summary: 'Replace a product (agent, admin; If-Match required)',
  description: 'Without If-Match: 428; with a stale ETag: 412.',
  security: bearerSecurity,
  request: {
    params: ProductIdParamSchema,
    headers: IfMatchHeaderSchema,
    body: jsonBody(ProductFieldsSchema),
  },
  responses: {
    200: productResponse('Replaced.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 422, 428),
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/products/{id}',
  tags: ['products'],
  summary: 'Change some fields of a product (agent, admin; If-Match required)',
  description: 'Without If-Match: 428; with a stale ETag: 412.',
  security: bearerSecurity,
  request: { params: ProductIdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(ProductPatchSchema) },
  responses: {
    200: productResponse('Changed.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 422, 428),
  },
});

const archive = createRoute({
  method: 'delete',
  path: '/products/{id}',
  tags: ['products'],
  summary:
    'Archive a product: it leaves the list, loans that use it keep reading it (admin; If-Match required)',
  security: bearerSecurity,
  request: { params: ProductIdParamSchema, headers: IfMatchHeaderSchema },
  responses: { 204: { description: 'Archived.' }, ...problemResponses(400, 401, 403, 404, 409, 412, 428) },
});

function fieldsOf(row: ProductRow): ProductFields {
  const product = toProduct(row);
  return {
    code: product.code,
    name: product.name,
    description: product.description,
    category: product.category,
    currency: product.currency,
    minPrincipal: product.minPrincipal,
    maxPrincipal: product.maxPrincipal,
    annualRateBps: product.annualRateBps,
    minTermMonths: product.minTermMonths,
    maxTermMonths: product.maxTermMonths,
    gracePeriodMonths: product.gracePeriodMonths,
    interestDuringStudy: product.interestDuringStudy,
    graceMonthsAfterStudy: product.graceMonthsAfterStudy,
    trancheExpiryDays: product.trancheExpiryDays,
    guarantorsRequired: product.guarantorsRequired,
    active: product.active,
  };
}

function assertConsistent(fields: ProductFields): void {
  const errors = termViolations(fields);
  if (errors.length > 0) throw new FieldsRefused('inconsistent_terms', errors);
}

export function productRoutes(deps: CatalogDeps) {
  const { db } = deps;
  const staff = [deps.guards.require('agent', 'admin')];
  const adminOnly = [deps.guards.require('admin')];

  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const rows = await listProducts(db, {
        ...query,
        active: query.active === undefined ? undefined : query.active === 'true',
      });
      return c.json(pageById(rows, query.limit, toProduct), 200);
    })
    .openapi(getOne, async (c) => {
      const row = await getProduct(db, c.req.valid('param').id);
      c.header('ETag', etagFor(row.version));
      return c.json(toProduct(row), 200);
    })
    .openapi({ ...create, middleware: staff }, async (c) => {
      const fields = c.req.valid('json');
      assertConsistent(fields);
      const now = deps.now();
      const id = uuidv7(now.getTime());
      await insertProduct(db, id, fields, principalOf(c).userId, now);
      const row = await getProduct(db, id);
      c.header('Location', `/api/v1/products/${id}`);
      c.header('ETag', etagFor(row.version));
      return c.json(toProduct(row), 201);
    })
    .openapi({ ...replace, middleware: staff }, async (c) => {
      const fields = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      assertConsistent(fields);
      const current = await getProduct(db, c.req.valid('param').id);
      await updateProduct(db, current, expected, fields, deps.now());
      const row = await getProduct(db, current.id);
      c.header('ETag', etagFor(row.version));
      return c.json(toProduct(row), 200);
    })
    .openapi({ ...patch, middleware: staff }, async (c) => {
      const changes = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const current = await getProduct(db, c.req.valid('param').id);
      const fields = { ...fieldsOf(current), ...changes };
      assertConsistent(fields);
      await updateProduct(db, current, expected, fields, deps.now());
      const row = await getProduct(db, current.id);
      c.header('ETag', etagFor(row.version));
      return c.json(toProduct(row), 200);
    })
    .openapi({ ...archive, middleware: adminOnly }, async (c) => {
      const expected = versionFromIfMatch(c);
      const current = await getProduct(db, c.req.valid('param').id);
      await archiveProduct(db, current, expected, principalOf(c).userId, deps.now());
      return c.body(null, 204);
    });
}
