import { randomUUID } from 'node:crypto';
import { createDatabase, SIGNATURE_HEADER, signRequest } from '@bonding/kit';
import { type ServiceOnDatabase, startServiceOnTestDatabase } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDatabase } from '../src/db/schema.js';

const SECRET = 'ledger-process-test-secret-000000000001';

let ledger: ServiceOnDatabase;
beforeAll(async () => {
  ledger = await startServiceOnTestDatabase('ledger', {
    CURRENCIES: 'MWK,USD',
    INTERNAL_SECRETS: SECRET,
    JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'info',
  });
});
afterAll(() => ledger?.close());

describe('the ledger process', () => {
  it('migrates, opens the system accounts of each currency, and becomes ready', async () => {
    const ready = await fetch(`${ledger.service.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const handle = createDatabase<LedgerDatabase>({ url: ledger.database.url, poolSize: 1 });
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
    const response = await fetch(`${ledger.service.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
        [SIGNATURE_HEADER]: signRequest(SECRET, { method: 'POST', path, body }),
      },
      body,
    });
    expect(response.status).toBe(201);
    const unsigned = await fetch(`${ledger.service.baseUrl}/api/v1/accounts`, {
      headers: { Authorization: 'Bearer x.y.z' },
    });
    expect(unsigned.status).toBe(401);
    expect(await ledger.service.stop('SIGTERM')).toBe(0);
  });
});
