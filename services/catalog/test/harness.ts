import { randomUUID } from 'node:crypto';
import { createLogger, parseConfig, runMigrations } from '@bonding/kit';
import { createApiClient, createTestDatabase, createTestIssuer } from '@bonding/testing';
import { createCatalogApp } from '../src/app.js';
import { buildCatalogDeps } from '../src/build-deps.js';
import { catalogConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';

export type CatalogHarness = Awaited<ReturnType<typeof createCatalogHarness>>;

/** The catalog app over a fresh MariaDB database, with tokens from a stand-in issuer. */
export async function createCatalogHarness() {
  const database = await createTestDatabase('catalog');
  const issuer = await createTestIssuer();
  const config = parseConfig(catalogConfigSchema, { NODE_ENV: 'test', MYSQL_URL: database.url });
  const built = buildCatalogDeps(config, {
    keys: issuer.keys,
    logger: createLogger({ service: 'catalog', level: 'silent' }),
  });
  await runMigrations(built.deps.db, database.name, migrations);
  const { app } = createCatalogApp(built.deps);
  const ids = {
    student: randomUUID(),
    otherStudent: randomUUID(),
    agent: randomUUID(),
    admin: randomUUID(),
    otherAdmin: randomUUID(),
  };
  const tokens = {
    student: await issuer.token({ sub: ids.student, role: 'student' }),
    otherStudent: await issuer.token({ sub: ids.otherStudent, role: 'student' }),
    agent: await issuer.token({ sub: ids.agent, role: 'agent' }),
    admin: await issuer.token({ sub: ids.admin, role: 'admin' }),
    otherAdmin: await issuer.token({ sub: ids.otherAdmin, role: 'admin' }),
  };

  const call = createApiClient((path, init) => app.request(path, init));

  return {
    app,
    deps: built.deps,
    ids,
    tokens,
    call,
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

let sequence = 0;
/** A valid product body with a unique code. */
export function productBody(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    code: `TEST-${Date.now().toString(36).toUpperCase()}-${sequence}`,
    name: 'Test tuition loan',
    description: 'For tests.',
    category: 'tuition',
    currency: 'MWK',
    minPrincipal: 1_000_000,
    maxPrincipal: 50_000_000,
    annualRateBps: 450,
    minTermMonths: 6,
    maxTermMonths: 48,
    gracePeriodMonths: 3,
    ...overrides,
  };
}

/** A valid institution body with a unique code. */
export function institutionBody(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    code: `UNI-${Date.now().toString(36).toUpperCase()}-${sequence}`,
    name: 'Test university',
    country: 'MW',
    contactEmail: 'registrar@test-university.example',
    ...overrides,
  };
}
