import { randomUUID } from 'node:crypto';
import { collectLogLines, waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyEvent,
  createEventRuntime,
  createLogger,
  createServiceMetrics,
  type EventRuntime,
  type EventTables,
  eventConfigSchema,
  loadRevocations,
  parseConfig,
  purgeEventTables,
  recordEndedSessions,
  syncRevocations,
  UserRevocationList,
} from '../../src/index.js';
import { createProducer, type Producer } from './helpers.js';

// The built-in user.disabled and session.ended handlers a service's runtime gives its consumer, applied
// through the inbox function the JetStream consumer runs (applyEvent: the inbox, then the after-commit effects).
let service: Producer;
let runtime: EventRuntime<EventTables>;
const revocations = new UserRevocationList();
const logs = collectLogLines();
const logger = createLogger({ service: 'consumer', level: 'debug', destination: logs.destination });
beforeAll(async () => {
  service = await createProducer('kit_inbox');
  runtime = createEventRuntime<EventTables>({
    service: 'consumer',
    db: service.db,
    databaseName: service.database.name,
    logger,
    metrics: createServiceMetrics('consumer'),
    config: parseConfig(eventConfigSchema, { REVOCATION_SYNC_INTERVAL_MS: '100' }),
    revocations,
  });
  runtime.consume();
});
afterAll(() => service.close());

async function deliver(type: 'user.disabled' | 'session.ended', data: Record<string, unknown>) {
  const envelope = {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'identity',
    data,
  };
  return applyEvent(service.db, runtime.handlers, { envelope, key: `${type}@1`, data }, logger);
}

describe('applyEvent', () => {
  it('runs only the after-commit effects of the attempt that committed when a deadlock made it try again', async () => {
    const effects: string[] = [];
    let attempts = 0;
    const handlers = {
      'user.disabled@1': async (
        _event: unknown,
        _trx: unknown,
        context: { afterCommit(effect: () => void): void },
      ) => {
        attempts += 1;
        const attempt = attempts;
        context.afterCommit(() => effects.push(`attempt ${attempt}`));
        if (attempt === 1)
          throw Object.assign(new Error('chosen as a deadlock victim'), { code: 'ER_LOCK_DEADLOCK' });
      },
    };
    const data = { userId: randomUUID(), disabledBy: randomUUID(), disabledAt: new Date().toISOString() };
    const envelope = {
      id: randomUUID(),
      type: 'user.disabled',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'identity',
      data,
    };
    const event = { envelope, key: 'user.disabled@1', data };
    expect(await applyEvent(service.db, handlers, event, logger)).toBe('processed');
    expect(attempts).toBe(2);
    expect(effects).toEqual(['attempt 2']);
    // The retry's inbox row is the one that stayed: a redelivery changes nothing.
    expect(await applyEvent(service.db, handlers, event, logger)).toBe('duplicate');
    expect(effects).toEqual(['attempt 2']);
  });
});

describe('the built-in handlers', () => {
  it('are given to the consumer with the denylist, and not when the service says so', () => {
    expect(Object.keys(runtime.handlers).sort()).toEqual(['session.ended@1', 'user.disabled@1']);
    const identity = createEventRuntime<EventTables>({ ...runtime.options, service: 'identity' });
    identity.consume({ consumeUserDisabled: false });
    expect(identity.handlers).toEqual({});
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
    const sync = await syncRevocations(service.db, otherReplica, logger, 100);
    try {
      expect(revocations.isRevoked(token(userId, at - 60))).toBe(false);
      expect(
        await deliver('user.disabled', {
          userId,
          disabledBy: randomUUID(),
          disabledAt: disabledAt.toISOString(),
        }),
      ).toBe('processed');
      // This replica: immediately after the commit.
      expect(revocations.isRevoked(token(userId, at - 60))).toBe(true);
      expect(revocations.isRevoked(token(userId, at))).toBe(true);
      expect(revocations.isRevoked(token(userId, at + 1))).toBe(false);
      // The other replica: within a sync interval.
      await waitFor(() => otherReplica.isRevoked(token(userId, at - 60)), {
        timeoutMs: 3_000,
        what: 'the other replica to refuse the token',
      });
      // A restart: the list is rebuilt from the table.
      const restarted = new UserRevocationList();
      expect(await loadRevocations(service.db, restarted)).toBeGreaterThan(0);
      expect(restarted.isRevoked(token(userId, at - 60))).toBe(true);
    } finally {
      await sync.stop();
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
    const sync = await syncRevocations(service.db, otherReplica, logger, 100);
    try {
      expect(
        await deliver('session.ended', {
          userId: randomUUID(),
          sessionIds: [ended, alsoEnded],
          endedAt: new Date().toISOString(),
          reason: 'logout',
        }),
      ).toBe('processed');
      expect(revocations.refusal(token(ended))).toBe('session_ended');
      expect(revocations.refusal(token(alsoEnded))).toBe('session_ended');
      expect(revocations.refusal(token(live))).toBeUndefined();
      await waitFor(() => otherReplica.refusal(token(ended)) === 'session_ended', {
        timeoutMs: 3_000,
        what: 'the other replica to refuse the session',
      });
      const restarted = new UserRevocationList();
      await loadRevocations(service.db, restarted);
      expect(restarted.refusal(token(alsoEnded))).toBe('session_ended');
    } finally {
      await sync.stop();
    }
  });

  it('forgets an ended session once every token of it has expired: the purge deletes its row', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    await service.db.transaction().execute(async (trx) => {
      await recordEndedSessions(trx, randomUUID(), [old], hoursAgo(2));
      await recordEndedSessions(trx, randomUUID(), [recent], hoursAgo(0));
    });
    const purged = await purgeEventTables(service.db, {
      outboxRetentionMs: 3_600_000,
      inboxRetentionMs: 3_600_000,
    });
    expect(purged.endedSessions).toBeGreaterThanOrEqual(1);
    const left = new UserRevocationList();
    await loadRevocations(service.db, left);
    expect(left.refusal(token(old))).toBeUndefined();
    expect(left.refusal(token(recent))).toBe('session_ended');
  });
});
