import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signedFetch, verifySignature } from '../../src/index.js';

const secret = 'ledger-secret-for-internal-commands-0001';

/** A stand-in for another service's /internal routes: checks signatures, fails on demand. */
let server: Server;
let baseUrl: string;
let behaviour: { failuresLeft: number; failWith: number; hang: boolean };
const attempts: { method: string; verified: boolean; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const check = verifySignature(
        req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined,
        { method: req.method ?? '', path: req.url ?? '', body },
        [secret],
      );
      attempts.push({ method: req.method ?? '', verified: check.ok, body });
      if (behaviour.hang) return;
      if (behaviour.failuresLeft > 0) {
        behaviour.failuresLeft -= 1;
        res.writeHead(behaviour.failWith, { 'Retry-After': '0' }).end();
        return;
      }
      res.writeHead(check.ok ? 200 : 401, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  attempts.length = 0;
  behaviour = { failuresLeft: 0, failWith: 503, hang: false };
});

describe('signedFetch', () => {
  it('signs the method, path, query and body so the receiver can verify them', async () => {
    const response = await signedFetch(`${baseUrl}/internal/transfers?dryRun=1`, {
      secret,
      body: { amountMinor: '100', currency: 'MWK' },
      headers: { 'Idempotency-Key': 'k1' },
    });
    expect(response.status).toBe(200);
    expect(attempts).toEqual([
      { method: 'POST', verified: true, body: '{"amountMinor":"100","currency":"MWK"}' },
    ]);
  });

  it('retries a repeatable request on 503 a bounded number of times, re-signing each attempt', async () => {
    behaviour.failuresLeft = 10;
    const response = await signedFetch(`${baseUrl}/internal/accounts`, {
      secret,
      retries: 2,
      retryDelayMs: 10,
    });
    expect(response.status).toBe(503);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((attempt) => attempt.verified)).toBe(true);
  });

  it('succeeds once the callee recovers within the retries', async () => {
    behaviour.failuresLeft = 1;
    const response = await signedFetch(`${baseUrl}/internal/accounts`, { secret, retryDelayMs: 10 });
    expect(response.status).toBe(200);
    expect(attempts).toHaveLength(2);
  });

  it('tries a POST without an Idempotency-Key once: repeating it could repeat its effect', async () => {
    behaviour.failuresLeft = 1;
    const response = await signedFetch(`${baseUrl}/internal/transfers`, {
      secret,
      body: {},
      retryDelayMs: 10,
    });
    expect(response.status).toBe(503);
    expect(attempts).toHaveLength(1);
  });

  it('gives up on a callee that does not answer after its timeout per attempt', async () => {
    behaviour.hang = true;
    const started = performance.now();
    await expect(
      signedFetch(`${baseUrl}/internal/accounts`, { secret, timeoutMs: 200, retries: 1, retryDelayMs: 10 }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(attempts).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('does not retry a request that is not failing in a retryable way', async () => {
    behaviour.failuresLeft = 1;
    behaviour.failWith = 400;
    const response = await signedFetch(`${baseUrl}/internal/accounts`, { secret, retryDelayMs: 10 });
    expect(response.status).toBe(400);
    expect(attempts).toHaveLength(1);
  });
});
