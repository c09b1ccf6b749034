import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogHarness, createCatalogHarness, institutionBody } from './harness.js';

let h: CatalogHarness;
beforeAll(async () => {
  h = await createCatalogHarness();
});
afterAll(() => h.close());

async function created(overrides: Record<string, unknown> = {}) {
  const response = await h.call('POST', '/api/v1/institutions', {
    token: h.tokens.admin,
    body: institutionBody(overrides),
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return { institution: response.json, etag: response.headers.get('etag') as string };
}

const fields = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();

describe('POST /api/v1/institutions', () => {
  it('lets an admin add an institution, recording them as its creator', async () => {
    const body = institutionBody();
    const response = await h.call('POST', '/api/v1/institutions', { token: h.tokens.admin, body });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      ...body,
      archived: false,
      createdBy: h.ids.admin,
      updatedBy: h.ids.admin,
      archivedBy: null,
      archivedAt: null,
      version: 1,
    });
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(response.headers.get('location')).toBe(`/api/v1/institutions/${response.json.id}`);
  });

  it('defaults the country to MW and the contact address to none', async () => {
    const { code, name } = institutionBody();
    const response = await h.call('POST', '/api/v1/institutions', {
      token: h.tokens.admin,
      body: { code, name },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ code, name, country: 'MW', contactEmail: null });
  });

  it.each([
    ['a malformed code', { code: 'unima' }, ['body.code']],
    ['a one-letter code', { code: 'U' }, ['body.code']],
    ['an empty name', { name: '  ' }, ['body.name']],
    ['a name over 160 characters', { name: 'U'.repeat(161) }, ['body.name']],
    ['a lower-case country', { country: 'mw' }, ['body.country']],
    ['a three-letter country', { country: 'MWI' }, ['body.country']],
    ['a contact that is not an e-mail address', { contactEmail: 'registrar' }, ['body.contactEmail']],
    ['an unknown field', { createdBy: '01900000-0000-7000-8000-000000000000' }, ['body.createdBy']],
  ])('answers 400 naming the field for %s', async (_name, overrides, expected) => {
    const response = await h.call('POST', '/api/v1/institutions', {
      token: h.tokens.admin,
      body: institutionBody(overrides),
    });
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(expected);
  });

  it('answers 409 when the code is taken, archived institutions included', async () => {
    const { institution, etag } = await created();
    const again = await h.call('POST', '/api/v1/institutions', {
      token: h.tokens.admin,
      body: institutionBody({ code: institution.code }),
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('institution_code_taken');
    await h.call('DELETE', `/api/v1/institutions/${institution.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': etag },
    });
    const afterArchive = await h.call('POST', '/api/v1/institutions', {
      token: h.tokens.admin,
      body: institutionBody({ code: institution.code }),
    });
    expect(afterArchive.status).toBe(409);
  });
});

describe('GET /api/v1/institutions', () => {
  it('is public and pages newest first, without archived institutions', async () => {
    const older = await created();
    const archived = await created();
    const newer = await created();
    await h.call('DELETE', `/api/v1/institutions/${archived.institution.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': archived.etag },
    });
    const firstPage = await h.call('GET', '/api/v1/institutions?limit=1');
    expect(firstPage.status).toBe(200);
    expect(firstPage.json.items.map((i: { id: string }) => i.id)).toEqual([newer.institution.id]);
    const secondPage = await h.call(
      'GET',
      `/api/v1/institutions?limit=1&cursor=${firstPage.json.nextCursor}`,
    );
    expect(secondPage.json.items.map((i: { id: string }) => i.id)).toEqual([older.institution.id]);
    const all = await h.call('GET', '/api/v1/institutions?limit=100');
    expect(all.json.items.map((i: { id: string }) => i.id)).not.toContain(archived.institution.id);
  });

  it.each(['limit=0', 'limit=1000', 'cursor=!!'])('answers 400 for %s', async (query) => {
    expect((await h.call('GET', `/api/v1/institutions?${query}`)).status).toBe(400);
  });
});

describe('GET /api/v1/institutions/{id}', () => {
  it('is public and returns the ETag', async () => {
    const { institution } = await created();
    const response = await h.call('GET', `/api/v1/institutions/${institution.id}`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual(institution);
    expect(response.headers.get('etag')).toBe('"v1"');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await h.call('GET', '/api/v1/institutions/01900000-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('institution_not_found');
    expect((await h.call('GET', '/api/v1/institutions/123')).status).toBe(400);
  });
});

describe('updating with PUT and PATCH', () => {
  it('replaces an institution when If-Match names its current version, recording who changed it', async () => {
    const { institution, etag } = await created();
    const replacement = institutionBody({ name: 'Renamed university', country: 'TZ', contactEmail: null });
    const response = await h.call('PUT', `/api/v1/institutions/${institution.id}`, {
      token: h.tokens.otherAdmin,
      body: replacement,
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      ...replacement,
      createdBy: h.ids.admin,
      updatedBy: h.ids.otherAdmin,
      version: 2,
    });
    expect(response.headers.get('etag')).toBe('"v2"');
  });

  it('changes only the named fields with PATCH', async () => {
    const { institution, etag } = await created();
    const response = await h.call('PATCH', `/api/v1/institutions/${institution.id}`, {
      token: h.tokens.admin,
      body: { contactEmail: 'bursar@test-university.example' },
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      code: institution.code,
      name: institution.name,
      country: institution.country,
      contactEmail: 'bursar@test-university.example',
      version: 2,
    });
  });

  it('answers 409 when a change takes another institution’s code', async () => {
    const taken = await created();
    const { institution, etag } = await created();
    const response = await h.call('PATCH', `/api/v1/institutions/${institution.id}`, {
      token: h.tokens.admin,
      body: { code: taken.institution.code },
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('institution_code_taken');
    expect((await h.call('GET', `/api/v1/institutions/${institution.id}`)).json.version).toBe(1);
  });

  it('answers 400 for an empty patch and an invalid field', async () => {
    const { institution, etag } = await created();
    const path = `/api/v1/institutions/${institution.id}`;
    const empty = await h.call('PATCH', path, {
      token: h.tokens.admin,
      body: {},
      headers: { 'If-Match': etag },
    });
    expect(empty.status).toBe(400);
    const bad = await h.call('PATCH', path, {
      token: h.tokens.admin,
      body: { country: 'Malawi' },
      headers: { 'If-Match': etag },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad.json)).toEqual(['body.country']);
  });
});

describe('ETags', () => {
  const writes: [string, () => Record<string, unknown> | undefined][] = [
    ['PUT', () => institutionBody()],
    ['PATCH', () => ({ name: 'Changed' })],
    ['DELETE', () => undefined],
  ];
  it.each(writes)('%s answers 428 without If-Match and 412 with a stale ETag', async (method, body) => {
    const { institution } = await created();
    const path = `/api/v1/institutions/${institution.id}`;
    const missing = await h.call(method, path, { token: h.tokens.admin, body: body() });
    expect(missing.status).toBe(428);
    expect(missing.json.code).toBe('if_match_required');
    const stale = await h.call(method, path, {
      token: h.tokens.admin,
      body: body(),
      headers: { 'If-Match': '"v7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.code).toBe('etag_mismatch');
    const after = await h.call('GET', path);
    expect(after.json).toMatchObject({ version: 1, archived: false, name: institution.name });
  });

  it('lets only one of two concurrent writers with the same ETag win', async () => {
    const { institution, etag } = await created();
    const results = await Promise.all(
      ['A', 'B'].map((name) =>
        h.call('PATCH', `/api/v1/institutions/${institution.id}`, {
          token: h.tokens.admin,
          body: { name },
          headers: { 'If-Match': etag },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });
});

describe('DELETE /api/v1/institutions/{id} (archive)', () => {
  it('archives: the institution leaves the list but stays readable by id', async () => {
    const { institution, etag } = await created();
    const response = await h.call('DELETE', `/api/v1/institutions/${institution.id}`, {
      token: h.tokens.otherAdmin,
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(204);
    const read = await h.call('GET', `/api/v1/institutions/${institution.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      archived: true,
      archivedBy: h.ids.otherAdmin,
      archivedAt: expect.any(String),
      version: 2,
    });
    expect(read.headers.get('etag')).toBe('"v2"');
  });

  it('refuses changes to an archived institution and a second archive with 409', async () => {
    const { institution, etag } = await created();
    const path = `/api/v1/institutions/${institution.id}`;
    await h.call('DELETE', path, { token: h.tokens.admin, headers: { 'If-Match': etag } });
    const patched = await h.call('PATCH', path, {
      token: h.tokens.admin,
      body: { name: 'x' },
      headers: { 'If-Match': '"v2"' },
    });
    expect(patched.status).toBe(409);
    expect(patched.json.code).toBe('institution_archived');
    const again = await h.call('DELETE', path, { token: h.tokens.admin, headers: { 'If-Match': '"v2"' } });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('institution_archived');
  });
});

describe('who may call each route', () => {
  type Caller = 'anonymous' | 'student' | 'agent' | 'admin';
  const callers: Caller[] = ['anonymous', 'student', 'agent', 'admin'];
  const refused = { anonymous: 401, student: 403, agent: 403 } as const;

  const routes = [
    { method: 'GET', item: false, success: 200, write: false },
    { method: 'GET', item: true, success: 200, write: false },
    { method: 'POST', item: false, success: 201, write: true, body: () => institutionBody() },
    { method: 'PUT', item: true, success: 200, write: true, body: () => institutionBody() },
    { method: 'PATCH', item: true, success: 200, write: true, body: () => ({ name: 'Changed' }) },
    { method: 'DELETE', item: true, success: 204, write: true },
  ] as const;

  for (const route of routes) {
    const name = `${route.method} /institutions${route.item ? '/{id}' : ''}`;
    it.each(callers)(`${name}: %s`, async (caller) => {
      const { institution, etag } = await created();
      const path = route.item ? `/api/v1/institutions/${institution.id}` : '/api/v1/institutions';
      const body = 'body' in route ? route.body() : undefined;
      const response = await h.call(route.method, path, {
        ...(caller === 'anonymous' ? {} : { token: h.tokens[caller] }),
        ...(body ? { body } : {}),
        headers: { 'If-Match': etag },
      });
      const expected = route.write && caller !== 'admin' ? refused[caller] : route.success;
      expect(response.status, response.text).toBe(expected);
      if (expected === route.success) return;
      // A refused write leaves everything as it was: the institution unchanged, the new code still free.
      expect((await h.call('GET', `/api/v1/institutions/${institution.id}`)).json).toEqual(institution);
      if (route.method === 'POST') {
        const retry = await h.call('POST', path, { token: h.tokens.admin, body });
        expect(retry.status).toBe(201);
      }
    });
  }
});
