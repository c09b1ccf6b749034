import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS, seedDemoProducts } from '../src/demo-products.js';
import { termViolations } from '../src/domain/product-terms.js';
import { ProductFieldsSchema } from '../src/routes/schemas.js';
import { type CatalogHarness, createCatalogHarness } from './harness.js';

let h: CatalogHarness;
beforeAll(async () => {
  h = await createCatalogHarness();
});
afterAll(() => h.close());

describe('the demo products', () => {
  it('are valid products', () => {
    for (const product of DEMO_PRODUCTS) {
      expect(ProductFieldsSchema.safeParse(product).success).toBe(true);
      expect(termViolations(product)).toEqual([]);
    }
  });

  it('offer STUDENT-TERMS, paid term by term with a guarantor; the others keep tranches that never lapse and no guarantors', () => {
    const byCode = new Map(DEMO_PRODUCTS.map((product) => [product.code, product]));
    expect(byCode.get('STUDENT-TERMS')).toMatchObject({
      category: 'student',
      annualRateBps: 400,
      interestDuringStudy: 'capitalised',
      graceMonthsAfterStudy: 12,
      trancheExpiryDays: 30,
      guarantorsRequired: 1,
      minTermMonths: 12,
      maxTermMonths: 120,
      minPrincipal: 10_000_000,
      maxPrincipal: 800_000_000,
    });
    for (const code of ['TUITION-UG', 'UPKEEP-UG', 'TUITION-PG', 'STUDY-DEVICE', 'STUDENT-LOAN']) {
      expect(byCode.get(code)).toMatchObject({ trancheExpiryDays: null, guarantorsRequired: 0 });
    }
  });

  it('are seeded once: a second run adds nothing, and an archived one is not brought back', async () => {
    expect(await seedDemoProducts(h.deps.db, new Date())).toHaveLength(DEMO_PRODUCTS.length);
    const list = await h.call('GET', '/api/v1/products?limit=100');
    const first = list.json.items.find((p: { code: string }) => p.code === DEMO_PRODUCTS[0]?.code);
    await h.call('DELETE', `/api/v1/products/${first.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(await seedDemoProducts(h.deps.db, new Date())).toEqual([]);
  });
});
