import { uuidv7 } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertProduct } from '../src/db/products.js';
import { ProductFieldsSchema } from '../src/routes/schemas.js';
import { type CatalogHarness, createCatalogHarness, productBody } from './harness.js';

let h: CatalogHarness;
beforeAll(async () => {
  h = await createCatalogHarness();
});
afterAll(() => h.close());

const create = (overrides: Record<string, unknown>) =>
  h.call('POST', '/api/v1/products', { token: h.tokens.admin, body: productBody(overrides) });

const fields = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();

describe('the student category', () => {
  it('is a category of its own, listed by itself', async () => {
    const student = await create({ category: 'student' });
    expect(student.status).toBe(201);
    expect(student.json.category).toBe('student');
    await create({ category: 'tuition' });
    const listed = await h.call('GET', '/api/v1/products?category=student&limit=100');
    expect(listed.json.items.map((p: { id: string }) => p.id)).toEqual([student.json.id]);
  });
});

describe('trancheExpiryDays and guarantorsRequired', () => {
  it('default to tranches that never lapse and no guarantors', async () => {
    const response = await create({});
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ trancheExpiryDays: null, guarantorsRequired: 0 });
  });

  it.each([
    [1, 0],
    [365, 2],
    [30, 1],
  ])('keep %i days and %i guarantors', async (trancheExpiryDays, guarantorsRequired) => {
    const response = await create({ trancheExpiryDays, guarantorsRequired });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ trancheExpiryDays, guarantorsRequired });
    const read = await h.call('GET', `/api/v1/products/${response.json.id}`);
    expect(read.json).toMatchObject({ trancheExpiryDays, guarantorsRequired });
  });

  it.each([
    ['no days', { trancheExpiryDays: 0 }, ['body.trancheExpiryDays']],
    ['more than a year of days', { trancheExpiryDays: 366 }, ['body.trancheExpiryDays']],
    ['a fraction of a day', { trancheExpiryDays: 1.5 }, ['body.trancheExpiryDays']],
    ['days as a string', { trancheExpiryDays: '30' }, ['body.trancheExpiryDays']],
    ['a negative number of guarantors', { guarantorsRequired: -1 }, ['body.guarantorsRequired']],
    ['three guarantors', { guarantorsRequired: 3 }, ['body.guarantorsRequired']],
    ['guarantors as null', { guarantorsRequired: null }, ['body.guarantorsRequired']],
  ])('answer 400 naming the field for %s', async (_name, overrides, expected) => {
    const response = await create(overrides);
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(expected);
  });

  it('change with PATCH and PUT: lapsing turned off again, guarantors back to the default', async () => {
    const first = await create({ trancheExpiryDays: 30, guarantorsRequired: 2 });
    const path = `/api/v1/products/${first.json.id}`;
    const patched = await h.call('PATCH', path, {
      token: h.tokens.admin,
      body: { trancheExpiryDays: null },
      headers: { 'If-Match': '"v1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ trancheExpiryDays: null, guarantorsRequired: 2 });
    const replaced = await h.call('PUT', path, {
      token: h.tokens.admin,
      body: productBody(),
      headers: { 'If-Match': '"v2"' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ trancheExpiryDays: null, guarantorsRequired: 0 });
  });

  it.each([
    ['trancheExpiryDays', { trancheExpiryDays: 0 }],
    ['guarantorsRequired', { guarantorsRequired: 3 }],
  ])('are bounded in the database too (%s)', async (_name, overrides) => {
    // Past the schema, as a writer other than the routes would be: the CHECK constraint refuses it.
    const terms = { ...ProductFieldsSchema.parse(productBody()), ...overrides };
    await expect(insertProduct(h.deps.db, uuidv7(), terms, h.ids.admin, new Date())).rejects.toThrow(
      /CONSTRAINT/i,
    );
  });
});
