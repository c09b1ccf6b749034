import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import { createRoute, z } from '@hono/zod-openapi';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createIdempotency,
  createIdempotencyTable,
  createRouter,
  createServiceApp,
  createServiceMetrics,
  type Database,
  DomainError,
  type IdempotencyTables,
  idempotencyClaimOf,
  jsonBody,
  requestFingerprint,
  runMigrations,
} from '../../src/index.js';
import { createLogger } from '../../src/logger.js';

interface NotesDatabase extends IdempotencyTables {
  notes: { id: string; text: string };
}

let database: TestDatabase;
let handle: Database<NotesDatabase>;
let app: ReturnType<typeof createServiceApp>['app'];
let metrics: ReturnType<typeof createServiceMetrics>;

const NoteSchema = z.strictObject({ text: z.string().min(1) });
const noteRoute = (path: string) =>
  createRoute({
    method: 'post',
    path,
    request: { body: jsonBody(NoteSchema) },
    responses: { 201: { description: 'created' } },
  });

beforeAll(async () => {
  database = await createTestDatabase('kit_idempotency');
  handle = createDatabase<NotesDatabase>({ url: database.url, poolSize: 4 });
  await runMigrations(handle.db, database.name, [
    { name: '0001_create_idempotency_records', up: createIdempotencyTable },
    {
      name: '0002_create_notes',
      up: (db: Kysely<any>) =>
        db.schema
          .createTable('notes')
          .addColumn('id', 'char(36)', (col) => col.primaryKey())
          .addColumn('text', 'varchar(200)', (col) => col.notNull())
          .execute(),
    },
  ]);
  metrics = createServiceMetrics('kit-test');
  const service = createServiceApp({
    name: 'kit-test',
    version: '0',
    description: 'test',
    logger: createLogger({ service: 'kit-test', level: 'silent' }),
    metrics,
  });
  const idempotency = createIdempotency({ db: handle.db, registry: metrics.registry, leaseMs: 60_000 });
  const once = [idempotency.require((c) => c.req.header('X-Caller') ?? 'anonymous')];
  const db = handle.db;
  const routes = createRouter()
    // The pattern services follow: the response is recorded in the write's own transaction.
    .openapi({ ...noteRoute('/notes'), middleware: once }, async (c) => {
      const { text } = c.req.valid('json');
      const id = randomUUID();
      const body = { id, text };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values(body).execute();
        await idempotencyClaimOf(c).complete(trx, {
          status: 201,
          body,
          headers: { Location: `/notes/${id}` },
        });
        if (text === 'roll back after completing') throw new DomainError(409, 'changed_mind', 'Conflict');
      });
      c.header('Location', `/notes/${id}`);
      return c.json(body, 201);
    })
    // A handler that never calls complete(): the middleware records its response afterwards.
    .openapi({ ...noteRoute('/plain-notes'), middleware: once }, async (c) => {
      const id = randomUUID();
      return c.json({ id, text: c.req.valid('json').text }, 201);
    })
    .openapi({ ...noteRoute('/refused-notes'), middleware: once }, () => {
      throw new DomainError(422, 'not_today', 'Unprocessable Content');
    });
  service.app.route('/', routes);
  app = service.app;
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

function post(path: string, body: unknown, key?: string, caller = 'alice') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return app.request(path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      'X-Caller': caller,
      ...(key ? { 'Idempotency-Key': key } : {}),
    },
    body: text,
  });
}

const notesCount = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from notes`.execute(handle.db)).rows[0]?.n);

describe('createIdempotency().require', () => {
  it('requires a well-formed key', async () => {
    const missing = await post('/notes', { text: 'a' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      code: 'idempotency_key_required',
      errors: [{ field: 'header.idempotency-key' }],
    });
    expect((await post('/notes', { text: 'a' }, 'two words')).status).toBe(400);
    expect((await post('/notes', { text: 'a' }, 'é')).status).toBe(400);
  });

  it('replays status, body and Location for the same key and body; the write happens once', async () => {
    const before = await notesCount();
    const key = randomUUID();
    const first = await post('/notes', { text: 'hello' }, key);
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const second = await post('/notes', { text: 'hello' }, key);
    expect(second.status).toBe(201);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await notesCount()).toBe(before + 1);
  });

  it('compares bodies byte for byte, and keys exactly (case matters)', async () => {
    const key = `Key-${randomUUID()}`;
    expect((await post('/notes', '{"text":"x"}', key)).status).toBe(201);
    const spaced = await post('/notes', '{"text": "x"}', key);
    expect(spaced.status).toBe(409);
    expect(((await spaced.json()) as { code: string }).code).toBe('idempotency_key_reused');
    expect((await post('/notes', '{"text":"x"}', key.toLowerCase())).status).toBe(201);
    // Another route with the same key is another request.
    expect((await post('/plain-notes', '{"text":"x"}', key)).status).toBe(409);
  });

  it('keeps each caller in their own key space', async () => {
    const key = randomUUID();
    expect((await post('/notes', { text: 'a' }, key, 'alice')).status).toBe(201);
    expect((await post('/notes', { text: 'a' }, key, 'bob')).status).toBe(201);
  });

  it('records a handler’s response itself when the handler did not', async () => {
    const key = randomUUID();
    const first = await post('/plain-notes', { text: 'p' }, key);
    const again = await post('/plain-notes', { text: 'p' }, key);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('releases the key after a refusal, and after a transaction that rolled back its completion', async () => {
    const refused = randomUUID();
    expect((await post('/refused-notes', { text: 'r' }, refused)).status).toBe(422);
    expect((await post('/refused-notes', { text: 'r' }, refused)).status).toBe(422);
    const rows = await handle.db
      .selectFrom('idempotency_records')
      .selectAll()
      .where('idempotency_key', '=', refused)
      .execute();
    expect(rows).toEqual([]);

    const before = await notesCount();
    const rolledBack = randomUUID();
    expect((await post('/notes', { text: 'roll back after completing' }, rolledBack)).status).toBe(409);
    expect(await notesCount()).toBe(before);
    // Nothing was kept: the same key may be used again, for another body too.
    expect((await post('/notes', { text: 'second thoughts' }, rolledBack)).status).toBe(201);
  });

  it('answers 409 in progress while a claim is held, and takes over a claim whose lease ran out', async () => {
    const body = '{"text":"held"}';
    const hash = requestFingerprint('POST', '/notes', body);
    const held = randomUUID();
    const abandoned = randomUUID();
    const now = Date.now();
    for (const [key, lockedUntil] of [
      [held, new Date(now + 60_000)],
      [abandoned, new Date(now - 1_000)],
    ] as const) {
      await sql`insert into idempotency_records
        (scope, idempotency_key, request_hash, state, claim_token, locked_until, created_at)
        values ('alice', ${key}, ${hash}, 'in_flight', ${randomUUID()}, ${lockedUntil}, ${new Date(now)})`.execute(
        handle.db,
      );
    }
    const busy = await post('/notes', body, held);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(((await busy.json()) as { code: string }).code).toBe('idempotency_request_in_progress');
    expect((await post('/notes', '{"text":"other"}', held)).status).toBe(409);
    expect((await post('/notes', body, abandoned)).status).toBe(201);
    expect((await post('/notes', body, abandoned)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('counts outcomes', async () => {
    const text = await metrics.registry.metrics();
    for (const outcome of ['claimed', 'replayed', 'reused', 'in_progress']) {
      expect(text).toMatch(
        new RegExp(`idempotency_requests_total\\{outcome="${outcome}",service="kit-test"\\} [1-9]`),
      );
    }
  });
});
