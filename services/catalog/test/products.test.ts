import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogHarness, createCatalogHarness, productBody } from './harness.js';

let h: CatalogHarness;
beforeAll(async () => {
  h = await createCatalogHarness();
});
afterAll(() => h.close());

async function created(overrides: Record<string, unknown> = {}) {
  const response = await h.call('POST', '/api/v1/products', {
    token: h.tokens.agent,
    body: productBody(overrides),
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return { product: response.json, etag: response.headers.get('etag') as string };
}

const fields = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();

describe('POST /api/v1/products', () => {
  it.each(['agent', 'admin'] as const)(
    'lets an %s create a product, recording them as its creator',
    async (role) => {
      const body = productBody();
      const response = await h.call('POST', '/api/v1/products', { token: h.tokens[role], body });
      expect(response.status).toBe(201);
      expect(response.json).toMatchObject({
        ...body,
        active: true,
        archived: false,
        createdBy: h.ids[role],
        version: 1,
      });
      expect(response.headers.get('etag')).toBe('"v1"');
      expect(response.headers.get('location')).toBe(`/api/v1/products/${response.json.id}`);
    },
  );

  it('refuses anonymous callers with 401 and students with 403', async () => {
    expect((await h.call('POST', '/api/v1/products', { body: productBody() })).status).toBe(401);
    expect(
      (await h.call('POST', '/api/v1/products', { token: h.tokens.student, body: productBody() })).status,
    ).toBe(403);
  });

  it('never takes createdBy from the body', async () => {
    const response = await h.call('POST', '/api/v1/products', {
      token: h.tokens.agent,
      body: { ...productBody(), createdBy: h.ids.admin },
    });
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(['body.createdBy']);
  });

  it.each([
    [
      'a maximum principal below the minimum',
      { minPrincipal: 5000, maxPrincipal: 4000 },
      ['body.maxPrincipal'],
    ],
    ['a maximum term below the minimum', { minTermMonths: 24, maxTermMonths: 12 }, ['body.maxTermMonths']],
    ['study terms without a grace', { interestDuringStudy: 'capitalised' }, ['body.graceMonthsAfterStudy']],
    ['a grace without study terms', { graceMonthsAfterStudy: 12 }, ['body.interestDuringStudy']],
  ])(
    'answers 422 inconsistent_terms naming the field for %s (a rule across fields)',
    async (_name, overrides, expected) => {
      const response = await h.call('POST', '/api/v1/products', {
        token: h.tokens.admin,
        body: productBody(overrides),
      });
      expect(response.status).toBe(422);
      expect(response.json.code).toBe('inconsistent_terms');
      expect(fields(response.json)).toEqual(expected);
    },
  );

  it.each([
    ['a rate above 100 %', { annualRateBps: 10001 }, ['body.annualRateBps']],
    ['a negative rate', { annualRateBps: -1 }, ['body.annualRateBps']],
    ['a fractional amount', { minPrincipal: 1000.5 }, ['body.minPrincipal']],
    ['an amount beyond 2^53 - 1', { maxPrincipal: 2 ** 53 }, ['body.maxPrincipal']],
    ['an amount as a string', { minPrincipal: '1000' }, ['body.minPrincipal']],
    ['an unknown category', { category: 'housing' }, ['body.category']],
    ['a malformed currency', { currency: 'kwacha' }, ['body.currency']],
    ['a malformed code', { code: 'lower case' }, ['body.code']],
    ['an unknown field', { colour: 'blue' }, ['body.colour']],
    [
      'an unknown interest during study',
      { interestDuringStudy: 'forgiven', graceMonthsAfterStudy: 12 },
      ['body.interestDuringStudy'],
    ],
    [
      'a negative grace after study',
      { interestDuringStudy: 'subsidised', graceMonthsAfterStudy: -1 },
      ['body.graceMonthsAfterStudy'],
    ],
  ])('answers 400 naming the field for %s', async (_name, overrides, expected) => {
    const response = await h.call('POST', '/api/v1/products', {
      token: h.tokens.admin,
      body: productBody(overrides),
    });
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(expected);
  });

  it('keeps study terms, none by default, and changes them together', async () => {
    const plain = await created();
    expect(plain.product).toMatchObject({ interestDuringStudy: null, graceMonthsAfterStudy: null });
    const study = await created({ interestDuringStudy: 'subsidised', graceMonthsAfterStudy: 24 });
    expect(study.product).toMatchObject({ interestDuringStudy: 'subsidised', graceMonthsAfterStudy: 24 });
    const half = await h.call('PATCH', `/api/v1/products/${study.product.id}`, {
      token: h.tokens.admin,
      headers: { 'if-match': study.etag },
      body: { interestDuringStudy: null },
    });
    expect(half.status).toBe(422);
    expect(fields(half.json)).toEqual(['body.interestDuringStudy']);
    const cleared = await h.call('PATCH', `/api/v1/products/${study.product.id}`, {
      token: h.tokens.admin,
      headers: { 'if-match': study.etag },
      body: { interestDuringStudy: null, graceMonthsAfterStudy: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json).toMatchObject({ interestDuringStudy: null, graceMonthsAfterStudy: null });
  });

  it('answers 409 when the code is taken', async () => {
    const { product } = await created();
    const response = await h.call('POST', '/api/v1/products', {
      token: h.tokens.admin,
      body: productBody({ code: product.code }),
    });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('product_code_taken');
  });
});

describe('GET /api/v1/products', () => {
  it('is public, pages newest first, and filters by category and active', async () => {
    const upkeep = await created({ category: 'upkeep' });
    await created({ category: 'upkeep', active: false });
    await created({ category: 'upkeep' });
    const firstPage = await h.call('GET', '/api/v1/products?category=upkeep&active=true&limit=1');
    expect(firstPage.status).toBe(200);
    expect(firstPage.json.items).toHaveLength(1);
    const secondPage = await h.call(
      'GET',
      `/api/v1/products?category=upkeep&active=true&limit=1&cursor=${firstPage.json.nextCursor}`,
    );
    expect(secondPage.json.items[0].id).toBe(upkeep.product.id);
    for (const item of [...firstPage.json.items, ...secondPage.json.items]) {
      expect(item).toMatchObject({ category: 'upkeep', active: true });
    }
    const inactive = await h.call('GET', '/api/v1/products?category=upkeep&active=false');
    expect(inactive.json.items.every((p: { active: boolean }) => !p.active)).toBe(true);
  });

  it.each(['category=housing', 'active=yes', 'limit=1000', 'cursor=!!'])(
    'answers 400 for %s',
    async (query) => {
      expect((await h.call('GET', `/api/v1/products?${query}`)).status).toBe(400);
    },
  );
});

describe('GET /api/v1/products/{id}', () => {
  it('is public and returns the ETag', async () => {
    const { product } = await created();
    const response = await h.call('GET', `/api/v1/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await h.call('GET', '/api/v1/products/01900000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await h.call('GET', '/api/v1/products/123')).status).toBe(400);
  });
});

describe('updating with PUT and PATCH', () => {
  it('replaces a product when If-Match names its current version', async () => {
    const { product, etag } = await created();
    const replacement = productBody({ name: 'Renamed', annualRateBps: 0 });
    const response = await h.call('PUT', `/api/v1/products/${product.id}`, {
      token: h.tokens.agent,
      body: replacement,
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'Renamed', annualRateBps: 0, version: 2 });
    expect(response.headers.get('etag')).toBe('"v2"');
  });

  it('changes only the named fields with PATCH, keeping the rules between fields', async () => {
    const { product, etag } = await created({ minTermMonths: 6, maxTermMonths: 12 });
    const patched = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.admin,
      body: { gracePeriodMonths: 9 },
      headers: { 'If-Match': etag },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ gracePeriodMonths: 9, name: product.name, version: 2 });
    const broken = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.admin,
      body: { minTermMonths: 24 },
      headers: { 'If-Match': '"v2"' },
    });
    expect(broken.status).toBe(422);
    expect(fields(broken.json)).toEqual(['body.maxTermMonths']);
  });

  it('answers 412 for a stale ETag and 428 without If-Match', async () => {
    const { product, etag } = await created();
    const first = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.agent,
      body: { name: 'One' },
      headers: { 'If-Match': etag },
    });
    expect(first.status).toBe(200);
    const stale = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.agent,
      body: { name: 'Two' },
      headers: { 'If-Match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.code).toBe('etag_mismatch');
    const missing = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.agent,
      body: { name: 'Three' },
    });
    expect(missing.status).toBe(428);
  });

  it('lets only one of two concurrent writers with the same ETag win', async () => {
    const { product, etag } = await created();
    const results = await Promise.all(
      ['A', 'B'].map((name) =>
        h.call('PATCH', `/api/v1/products/${product.id}`, {
          token: h.tokens.agent,
          body: { name },
          headers: { 'If-Match': etag },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('refuses students, anonymous callers and empty patches', async () => {
    const { product, etag } = await created();
    const path = `/api/v1/products/${product.id}`;
    expect((await h.call('PATCH', path, { body: { name: 'x' }, headers: { 'If-Match': etag } })).status).toBe(
      401,
    );
    expect(
      (
        await h.call('PATCH', path, {
          token: h.tokens.student,
          body: { name: 'x' },
          headers: { 'If-Match': etag },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.call('PUT', path, {
          token: h.tokens.otherStudent,
          body: productBody(),
          headers: { 'If-Match': etag },
        })
      ).status,
    ).toBe(403);
    expect(
      (await h.call('PATCH', path, { token: h.tokens.agent, body: {}, headers: { 'If-Match': etag } }))
        .status,
    ).toBe(400);
  });
});

describe('DELETE /api/v1/products/{id} (archive)', () => {
  it('archives: the product leaves the list but stays readable by id', async () => {
    const { product, etag } = await created({ category: 'other' });
    const response = await h.call('DELETE', `/api/v1/products/${product.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(204);
    const list = await h.call('GET', '/api/v1/products?category=other&limit=100');
    expect(list.json.items.map((p: { id: string }) => p.id)).not.toContain(product.id);
    const read = await h.call('GET', `/api/v1/products/${product.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ archived: true, active: false });
    expect(read.json.archivedAt).toEqual(expect.any(String));
  });

  it('refuses changes to an archived product', async () => {
    const { product, etag } = await created();
    await h.call('DELETE', `/api/v1/products/${product.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': etag },
    });
    const response = await h.call('PATCH', `/api/v1/products/${product.id}`, {
      token: h.tokens.admin,
      body: { name: 'x' },
      headers: { 'If-Match': '"v2"' },
    });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('product_archived');
  });

  it('is for admins only: agents and students get 403, anonymous 401', async () => {
    const { product, etag } = await created();
    const path = `/api/v1/products/${product.id}`;
    expect((await h.call('DELETE', path, { headers: { 'If-Match': etag } })).status).toBe(401);
    expect(
      (await h.call('DELETE', path, { token: h.tokens.agent, headers: { 'If-Match': etag } })).status,
    ).toBe(403);
    expect(
      (await h.call('DELETE', path, { token: h.tokens.student, headers: { 'If-Match': etag } })).status,
    ).toBe(403);
  });
});
