import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, SIGNATURE_HEADER, signRequest } from '@bonding/kit';
import {
  createTestDatabase,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDatabase } from '../src/db/schema.js';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'ledger-process-test-secret-000000000001';

let database: TestDatabase;
let service: ServiceProcess;
beforeAll(async () => {
  database = await createTestDatabase('ledger_process');
  service = await startServiceProcess({
    cwd: serviceDir,
    port: await freePort(),
    env: {
      MYSQL_URL: database.url,
      MIGRATE_ON_START: 'true',
      CURRENCIES: 'MWK,USD',
      INTERNAL_SECRETS: SECRET,
      JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      LOG_LEVEL: 'info',
    },
  });
});
afterAll(async () => {
  await service?.stop();
  await database?.drop();
});

describe('the ledger process', () => {
  it('migrates, opens the system accounts of each currency, and becomes ready', async () => {
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const handle = createDatabase<LedgerDatabase>({ url: database.url, poolSize: 1 });
    try {
      const system = await handle.db
        .selectFrom('accounts')
        .select(['type', 'currency'])
        .orderBy('currency')
        .orderBy('type')
        .execute();
      expect(system).toEqual([
        { type: 'cash', currency: 'MWK' },
        { type: 'funding', currency: 'MWK' },
        { type: 'cash', currency: 'USD' },
        { type: 'funding', currency: 'USD' },
      ]);
    } finally {
      await handle.close();
    }
  });

  it('moves money over HTTP for a signed internal call, and stops cleanly on SIGTERM', async () => {
    const path = '/internal/transfers';
    const body = JSON.stringify({
      kind: 'disbursement',
      userId: randomUUID(),
      loanId: randomUUID(),
      amount: 1000,
      currency: 'USD',
    });
    const response = await fetch(`${service.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
        [SIGNATURE_HEADER]: signRequest(SECRET, { method: 'POST', path, body }),
      },
      body,
    });
    expect(response.status).toBe(201);
    const unsigned = await fetch(`${service.baseUrl}/api/v1/accounts`, {
      headers: { Authorization: 'Bearer x.y.z' },
    });
    expect(unsigned.status).toBe(401);
    expect(await service.stop('SIGTERM')).toBe(0);
  });
});
