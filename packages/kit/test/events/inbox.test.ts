import { randomUUID } from 'node:crypto';
import { collectLogLines, createTestDatabase, type TestDatabase, waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  loadRevocations,
  parseConfig,
  purgeEventTables,
  RevocationSync,
  recordEndedSessions,
  runMigrations,
  SIGNATURE_HEADER,
  signRequest,
  UserRevocationList,
} from '../../src/index.js';
import { consumerConfigSchema } from '../fixtures/event-consumer/src/config.js';
import { createConsumerService } from '../fixtures/event-consumer/src/consumer.js';
import { consumerMigrations } from '../fixtures/event-consumer/src/schema.js';
import { CONSUMER_SECRET, directoryEntry } from './helpers.js';

let database: TestDatabase;
let consumer: ReturnType<typeof createConsumerService>;
const logs = collectLogLines();
beforeAll(async () => {
  database = await createTestDatabase('kit_inbox');
  const config = parseConfig(consumerConfigSchema, {
    MYSQL_URL: database.url,
    INTERNAL_SECRETS: CONSUMER_SECRET,
    REVOCATION_SYNC_INTERVAL_MS: '100',
  });
  consumer = createConsumerService(config, {
    logger: createLogger({ service: 'consumer', level: 'debug', destination: logs.destination }),
  });
  await runMigrations(consumer.database.db, database.name, consumerMigrations);
});
afterAll(async () => {
  await consumer.close();
  await database.drop();
});

function envelope(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    type: 'user.registered',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'identity',
    data: directoryEntry(),
    ...overrides,
  };
}

async function deliver(event: unknown, { secret = CONSUMER_SECRET, at = Date.now() } = {}) {
  const body = JSON.stringify(event);
  const response = await consumer.app.request('/internal/events', {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: signRequest(secret, { method: 'POST', path: '/internal/events', body }, at),
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function stored(eventId: string) {
  const db = consumer.database.db;
  return {
    inbox: await db.selectFrom('inbox').selectAll().where('event_id', '=', eventId).execute(),
    effects: await db.selectFrom('effects').selectAll().where('event_id', '=', eventId).execute(),
  };
}

describe('POST /internal/events', () => {
  it('applies a signed event once and records its id', async () => {
    const event = envelope();
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'processed' } });
    const { inbox, effects } = await stored(event.id);
    expect(inbox).toMatchObject([{ type: 'user.registered', version: 1, source: 'identity' }]);
    expect(effects).toHaveLength(1);
    const entry = await consumer.database.db
      .selectFrom('directory')
      .selectAll()
      .where('user_id', '=', event.data.userId)
      .executeTakeFirst();
    expect(entry).toMatchObject({ email: event.data.email, reg_number: event.data.regNumber });
  });

  it('answers a redelivery 200 "duplicate" without applying it again', async () => {
    const event = envelope();
    await deliver(event);
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect((await stored(event.id)).effects).toHaveLength(1);
  });

  it('applies an event delivered several times at once exactly once', async () => {
    const event = envelope();
    const results = await Promise.all(Array.from({ length: 6 }, () => deliver(event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.status === 'processed')).toHaveLength(1);
    expect((await stored(event.id)).effects).toHaveLength(1);
  });

  it.each([
    ['a forged signature', { secret: 'a-forged-secret-that-nobody-was-given-xyz' }, 'signature_invalid'],
    ['a stale signature', { at: Date.now() - 6 * 60_000 }, 'signature_stale'],
  ])('refuses %s with 401 and stores nothing', async (_label, options, code) => {
    const event = envelope();
    const answer = await deliver(event, options);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe(code);
    expect(await stored(event.id)).toEqual({ inbox: [], effects: [] });
  });

  it('refuses an unknown version with 422 and a reason the producer can dead-letter', async () => {
    const answer = await deliver(envelope({ version: 2 }));
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      code: 'unsupported_event_version',
      detail: 'This service handles user.registered version 1, not version 2.',
    });
  });

  it('refuses an event type it does not consume with 422', async () => {
    const answer = await deliver(
      envelope({ type: 'loan.repaid', data: { loanId: randomUUID(), studentId: randomUUID() } }),
    );
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('unsupported_event_type');
  });

  it('refuses data that breaks the contract with 400 naming the field', async () => {
    const event = envelope({ data: { ...directoryEntry(), email: 'nope' } });
    const answer = await deliver(event);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'body.data.email' })]);
    expect(await stored(event.id)).toEqual({ inbox: [], effects: [] });
  });

  it('refuses a malformed envelope with 400', async () => {
    const answer = await deliver({ id: 'not-a-uuid', type: 'user.registered' });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
  });

  it('rolls back the inbox record when the handler fails, so a retry applies it', async () => {
    const event = envelope({ data: directoryEntry({ lastName: 'Poison' }) });
    const failed = await deliver(event);
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe('event_handler_failed');
    expect(await stored(event.id)).toEqual({ inbox: [], effects: [] });
    const line = logs.lines.find((l) => l.eventId === event.id && l.msg.includes('handler failed'));
    expect(line).toMatchObject({ eventType: 'user.registered@1', source: 'identity' });
    expect(JSON.stringify(logs.lines)).not.toContain(event.data.email);

    await consumer.database.db.insertInto('cures').values({ last_name: 'Poison' }).execute();
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'processed' } });
    await consumer.database.db.deleteFrom('cures').execute();
  });

  it("passes a handler's permanent refusal on as 422", async () => {
    const answer = await deliver(envelope({ data: directoryEntry({ lastName: 'Refused' }) }));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('entry_refused');
  });
});

describe('user.disabled', () => {
  const token = (userId: string, issuedAt: number) => ({
    userId,
    role: 'student' as const,
    tokenId: 't',
    sessionId: undefined,
    emailVerified: true,
    issuedAt,
    expiresAt: issuedAt + 900,
    token: 'x',
  });

  it("refuses the user's tokens issued until then, at once here and persisted for restarts and other replicas", async () => {
    const userId = randomUUID();
    const disabledAt = new Date(Date.now() - 5_000);
    const at = Math.floor(disabledAt.getTime() / 1000);
    // Another replica of the same service, which is not the one the event reaches.
    const otherReplica = new UserRevocationList();
    const sync = new RevocationSync(consumer.database.db, otherReplica, consumer.logger, 100);
    await sync.start();
    try {
      expect(consumer.revocations.isRevoked(token(userId, at - 60))).toBe(false);
      const answer = await deliver(
        envelope({
          type: 'user.disabled',
          data: { userId, disabledBy: randomUUID(), disabledAt: disabledAt.toISOString() },
        }),
      );
      expect(answer.status).toBe(200);
      // This replica: immediately after the commit.
      expect(consumer.revocations.isRevoked(token(userId, at - 60))).toBe(true);
      expect(consumer.revocations.isRevoked(token(userId, at))).toBe(true);
      expect(consumer.revocations.isRevoked(token(userId, at + 1))).toBe(false);
      // The other replica: within a sync interval.
      await waitFor(() => otherReplica.isRevoked(token(userId, at - 60)), {
        timeoutMs: 3_000,
        what: 'the other replica to refuse the token',
      });
      // A restart: the list is rebuilt from the table.
      const restarted = new UserRevocationList();
      expect(await loadRevocations(consumer.database.db, restarted)).toBeGreaterThan(0);
      expect(restarted.isRevoked(token(userId, at - 60))).toBe(true);
    } finally {
      sync.stop();
    }
  });
});

describe('session.ended', () => {
  const token = (sessionId: string) => ({
    userId: randomUUID(),
    role: 'student' as const,
    tokenId: 't',
    sessionId,
    emailVerified: true,
    issuedAt: Math.floor(Date.now() / 1000) - 60,
    expiresAt: Math.floor(Date.now() / 1000) + 840,
    token: 'x',
  });

  it("refuses the sessions' tokens at once here, persisted for restarts and other replicas, and no other session's", async () => {
    const [ended, alsoEnded, live] = [randomUUID(), randomUUID(), randomUUID()];
    const otherReplica = new UserRevocationList();
    const sync = new RevocationSync(consumer.database.db, otherReplica, consumer.logger, 100);
    await sync.start();
    try {
      const answer = await deliver(
        envelope({
          type: 'session.ended',
          data: {
            userId: randomUUID(),
            sessionIds: [ended, alsoEnded],
            endedAt: new Date().toISOString(),
            reason: 'logout',
          },
        }),
      );
      expect(answer.status).toBe(200);
      expect(consumer.revocations.refusal(token(ended))).toBe('session_ended');
      expect(consumer.revocations.refusal(token(alsoEnded))).toBe('session_ended');
      expect(consumer.revocations.refusal(token(live))).toBeUndefined();
      await waitFor(() => otherReplica.refusal(token(ended)) === 'session_ended', {
        timeoutMs: 3_000,
        what: 'the other replica to refuse the session',
      });
      const restarted = new UserRevocationList();
      await loadRevocations(consumer.database.db, restarted);
      expect(restarted.refusal(token(alsoEnded))).toBe('session_ended');
    } finally {
      sync.stop();
    }
  });

  it('forgets an ended session once every token of it has expired: the purge deletes its row', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    await consumer.database.db.transaction().execute(async (trx) => {
      await recordEndedSessions(trx, randomUUID(), [old], hoursAgo(2));
      await recordEndedSessions(trx, randomUUID(), [recent], hoursAgo(0));
    });
    const purged = await purgeEventTables(consumer.database.db, {
      outboxRetentionMs: 3_600_000,
      inboxRetentionMs: 3_600_000,
    });
    expect(purged.endedSessions).toBeGreaterThanOrEqual(1);
    const left = new UserRevocationList();
    await loadRevocations(consumer.database.db, left);
    expect(left.refusal(token(old))).toBeUndefined();
    expect(left.refusal(token(recent))).toBe('session_ended');
  });
});
