import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raisedRateLimits } from './fuzz-platform.js';
import { completeStudent, type Person, signInAdmin } from './journeys.js';
import { type Platform, startPlatform } from './platform.js';
import { exchangeBytes, type RawAnswer, requestVerbatim } from './raw-http.js';

/**
 * Hostile requests through the edge get a 4xx — a problem+json from the service, or Kong's own
 * `{"message"}` body when the edge refuses first — and leave nothing behind: each row counts what the
 * request would have written, before and after. (Schema-driven fuzzing is fuzz-openapi.test.ts.)
 */
let platform: Platform;
let adminToken: string;
let student: Person;
let walletId: string;

beforeAll(async () => {
  platform = await startPlatform({
    name: 'hostile',
    services: ['identity', 'students', 'ledger'],
    rateLimits: raisedRateLimits(),
    startTimeoutMs: 120_000,
  });
  adminToken = await signInAdmin(platform);
  student = await completeStudent(platform);
  const wallet = await platform.api('POST', '/accounts', { token: student.token, body: { currency: 'MWK' } });
  if (wallet.status !== 201) throw new Error(`open wallet failed: ${wallet.status} ${wallet.text}`);
  walletId = wallet.json.id;
}, 300_000);
afterAll(async () => {
  await platform?.close();
});

/** What a hostile request could have written, as its owner sees it. */
const stored = {
  guardians: async () => (await platform.api('GET', '/students/me/guardians', { token: student.token })).json,
  money: async () => ({
    balance: (await platform.api('GET', `/accounts/${walletId}/balance`, { token: student.token })).json
      .balance,
    transfers: (await platform.api('GET', `/transfers?accountId=${walletId}`, { token: student.token })).json
      .items.length,
  }),
  admins: async () =>
    (await platform.api('GET', '/users?role=admin&limit=100', { token: adminToken })).json.items.length,
};
type Store = keyof typeof stored;

const JSON_TYPE = 'application/json';
const send = (
  method: string,
  path: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string>,
  token: () => string,
) =>
  requestVerbatim(
    platform.edge,
    method,
    path,
    {
      Authorization: `Bearer ${token()}`,
      ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
      ...headers,
    },
    body,
  );
const asStudent = () => student.token;
const asAdmin = () => adminToken;
const deposit = (body: string, headers: Record<string, string> = {}) =>
  send(
    'POST',
    '/api/v1/deposits',
    body,
    { 'Content-Type': JSON_TYPE, 'Idempotency-Key': randomUUID(), ...headers },
    asAdmin,
  );
const depositOf = (amount: string) =>
  deposit(`{"accountId":"${walletId}","amount":${amount},"currency":"MWK"}`);
const guardian = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  send('POST', '/api/v1/students/me/guardians', body, { 'Content-Type': JSON_TYPE, ...headers }, asStudent);
const guardianJson = (name: string) =>
  `{"firstName":${name},"surname":"Banda","relation":"father","phone":"+265888765432","occupation":"Farmer","homeVillage":"Chingale"}`;

interface Row {
  name: string;
  store: Store;
  send: () => Promise<RawAnswer>;
  status: number;
  /** The problem code a service answers with, or the message of Kong's body when the edge refuses. */
  code?: string;
  /** The code of the field error that names what was wrong, where it says more than the problem code. */
  fieldCode?: string;
  edgeMessage?: string;
}

const rows: Row[] = [
  {
    name: 'an oversized body (2 MiB)',
    store: 'guardians',
    send: () => guardian(guardianJson(JSON.stringify('x'.repeat(2 * 1024 * 1024)))),
    status: 413,
    edgeMessage: 'Request size limit exceeded',
  },
  {
    name: 'deeply nested JSON (100 000 levels)',
    store: 'money',
    send: () =>
      deposit(
        `{"accountId":"${walletId}","amount":100,"currency":"MWK","reference":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      ),
    status: 400,
    code: 'validation_failed',
    fieldCode: 'too_deep',
  },
  {
    name: 'bytes that are not UTF-8',
    store: 'guardians',
    send: () =>
      guardian(Buffer.concat([Buffer.from(guardianJson('"Jo')), Buffer.from([0xc3, 0x28])]).subarray(0, -1)),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    name: 'an amount beyond 2^53',
    store: 'money',
    send: () => depositOf('9007199254740993'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a negative amount',
    store: 'money',
    send: () => depositOf('-500'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a zero amount',
    store: 'money',
    send: () => depositOf('0'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a fractional amount',
    store: 'money',
    send: () => depositOf('10.5'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an amount in exponent form',
    store: 'money',
    send: () => depositOf('1e3'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an amount as a string',
    store: 'money',
    send: () => depositOf('"1000"'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an SQL-looking account id in a field',
    store: 'money',
    send: () => deposit(`{"accountId":"' OR '1'='1","amount":100,"currency":"MWK"}`),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an SQL-looking id in the path',
    store: 'money',
    send: () =>
      send(
        'POST',
        `/api/v1/accounts/${encodeURIComponent("1' OR '1'='1")}/freeze`,
        undefined,
        { 'If-Match': '*' },
        asAdmin,
      ),
    status: 400,
    code: 'validation_failed',
  },
  {
    // Free text (names, references) may hold any characters: it is data, returned as JSON and escaped
    // wherever it is rendered (e-mails). Fields with a format refuse what does not fit it.
    name: 'an SQL-looking phone number',
    store: 'guardians',
    send: () => guardian(guardianJson('"Jo"').replace('+265888765432', "+265' OR 1=1 --")),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a path that climbs out of /api to an internal route',
    store: 'admins',
    send: () =>
      send('POST', '/api/v1/users/../../../internal/events', '{}', { 'Content-Type': JSON_TYPE }, asAdmin),
    status: 404,
    edgeMessage: 'no Route matched with those values',
  },
  {
    name: 'the same climb, percent-encoded',
    store: 'admins',
    send: () =>
      send(
        'POST',
        '/api/v1/users/%2e%2e/%2e%2e/%2e%2e/internal/events',
        '{}',
        { 'Content-Type': JSON_TYPE },
        asAdmin,
      ),
    status: 404,
    edgeMessage: 'no Route matched with those values',
  },
  {
    name: 'encoded slashes in an id',
    store: 'money',
    send: () => send('GET', '/api/v1/accounts/..%2F..%2Finternal%2Fevents', undefined, {}, asStudent),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a character beyond the BMP in an id',
    store: 'money',
    send: () => send('GET', '/api/v1/accounts/%F0%9F%92%A5', undefined, {}, asStudent),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a key given twice (a proxy may read the first, the service the last)',
    store: 'money',
    send: () => deposit(`{"accountId":"${walletId}","amount":1,"currency":"MWK","amount":100000000}`),
    status: 400,
    code: 'validation_failed',
    fieldCode: 'duplicate_key',
  },
  {
    name: 'JSON sent as text/plain',
    store: 'money',
    send: () =>
      deposit(`{"accountId":"${walletId}","amount":100,"currency":"MWK"}`, { 'Content-Type': 'text/plain' }),
    status: 400,
    code: 'unsupported_content_type',
  },
  {
    name: 'a form instead of JSON',
    store: 'admins',
    send: () =>
      send(
        'POST',
        '/api/v1/users/admins',
        'email=evil%40example.test&password=a+long+passphrase&firstName=E&lastName=Vil',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        asAdmin,
      ),
    status: 400,
    code: 'unsupported_content_type',
  },
  {
    name: 'an Idempotency-Key carrying a shell command',
    store: 'money',
    send: () =>
      deposit(`{"accountId":"${walletId}","amount":100,"currency":"MWK"}`, {
        'Idempotency-Key': 'k; rm -rf / #',
      }),
    status: 400,
    code: 'idempotency_key_invalid',
  },
];

describe('hostile input through the edge', () => {
  it('stores a well-formed deposit, so the counts below would see a write', async () => {
    const before = await stored.money();
    const answer = await depositOf('100');
    expect(answer.status, answer.text).toBe(201);
    const after = await stored.money();
    expect(after).toEqual({ balance: before.balance + 100, transfers: before.transfers + 1 });
  });

  it.each(rows)('refuses $name with $status and stores nothing', async (row) => {
    const before = await stored[row.store]();
    const answer = await row.send();
    expect(answer.status, answer.text.slice(0, 2000)).toBe(row.status);
    if (row.edgeMessage) {
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.json).toMatchObject({ message: row.edgeMessage });
    } else {
      expect(answer.contentType).toBe('application/problem+json');
      expect(answer.json).toMatchObject({ status: row.status, code: row.code });
      if (row.fieldCode)
        expect(answer.json.errors).toContainEqual(expect.objectContaining({ code: row.fieldCode }));
    }
    expect(await stored[row.store]()).toEqual(before);
  });

  it('refuses a bare CR in a header value (header injection) before any service sees it', async () => {
    const before = await stored.money();
    const body = `{"accountId":"${walletId}","amount":100,"currency":"MWK"}`;
    const answer = await exchangeBytes(
      platform.edge,
      [
        'POST /api/v1/deposits HTTP/1.1',
        `Host: 127.0.0.1`,
        `Authorization: Bearer ${adminToken}`,
        'Content-Type: application/json',
        `Idempotency-Key: ${randomUUID()}\rX-Injected: yes`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    expect(answer.status).toBe(400);
    expect(await stored.money()).toEqual(before);
  });

  it('matches a search text literally, however SQL-like', async () => {
    const found = await platform.api('GET', `/students?q=${encodeURIComponent("' OR '1'='1' -- ")}`, {
      token: adminToken,
    });
    expect(found.status, found.text).toBe(200);
    expect(found.json.items).toEqual([]);
  });
});
