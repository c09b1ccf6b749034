import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INSTITUTIONS, seedDemoInstitutions } from '../src/demo-institutions.js';
import { InstitutionFieldsSchema } from '../src/routes/institution-schemas.js';
import { type CatalogHarness, createCatalogHarness } from './harness.js';

let h: CatalogHarness;
beforeAll(async () => {
  h = await createCatalogHarness();
});
afterAll(() => h.close());

const listed = async () =>
  (await h.call('GET', '/api/v1/institutions?limit=100')).json.items as {
    id: string;
    code: string;
    name: string;
  }[];

describe('the demo institutions', () => {
  it('are valid institutions', () => {
    for (const institution of DEMO_INSTITUTIONS) {
      expect(InstitutionFieldsSchema.parse(institution)).toEqual(institution);
    }
  });

  it('are seeded once: a second run adds nothing, and an edited or archived one is neither reset nor brought back', async () => {
    expect(await seedDemoInstitutions(h.deps.db, new Date())).toEqual(['UNIMA', 'MUST', 'MZUNI', 'LUANAR']);
    expect((await listed()).map((i) => i.code).sort()).toEqual(['LUANAR', 'MUST', 'MZUNI', 'UNIMA']);
    expect(await seedDemoInstitutions(h.deps.db, new Date())).toEqual([]);

    const institutions = await listed();
    const idOf = (code: string) => institutions.find((i) => i.code === code)?.id;
    const renamed = await h.call('PATCH', `/api/v1/institutions/${idOf('UNIMA')}`, {
      token: h.tokens.admin,
      body: { name: 'University of Malawi (Zomba)' },
      headers: { 'If-Match': '"v1"' },
    });
    expect(renamed.status).toBe(200);
    const archived = await h.call('DELETE', `/api/v1/institutions/${idOf('MUST')}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(archived.status).toBe(204);
    expect(await seedDemoInstitutions(h.deps.db, new Date())).toEqual([]);
    const after = await listed();
    expect(after.map((i) => i.code).sort()).toEqual(['LUANAR', 'MZUNI', 'UNIMA']);
    expect(after.find((i) => i.code === 'UNIMA')?.name).toBe('University of Malawi (Zomba)');
  });
});
