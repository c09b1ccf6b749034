import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumersOf,
  declareJetStream,
  defaultJetStreamSettings,
} from '../../../../platform/events/declaration.js';
import { provisionJetStream } from '../../../../platform/events/provision.js';
import { secretReaders, services, subscriptions } from '../../../../platform/shape.js';
import { durablesOf, PARTITIONS, partitionOf, publishOutboxEvent, subjectOf } from '../../src/index.js';
import { connectTestNats, deleteStream, testDeclaration } from './jetstream-helpers.js';

describe('JetStream subjects and declaration', () => {
  it('puts an aggregate in one stable partition of 16', () => {
    expect(PARTITIONS).toBe(16);
    // FNV-1a of the key: fixed values, so a change of the hash (which would reorder in-flight events) fails here.
    expect(partitionOf('')).toBe(0x811c9dc5 % 16);
    expect(partitionOf('0190b1f2-7c1e-7000-8000-000000000001')).toBe(
      partitionOf('0190b1f2-7c1e-7000-8000-000000000001'),
    );
    const seen = new Set(Array.from({ length: 400 }, (_, i) => partitionOf(`user-${i}`)));
    expect(seen.size).toBe(16);
    expect(subjectOf('bonding', 'identity', 'user.registered', 'u1')).toBe(
      `bonding.identity.user.registered.${partitionOf('u1')}`,
    );
    expect(() => subjectOf('bonding', 'identity', 'user', 'u1')).toThrow(/noun\.verb/);
  });

  it('declares one durable per (service, partition) from platform/shape.ts, filtered to what it subscribes to', () => {
    const declaration = declareJetStream({ services, subscriptions, secretReaders });
    // The private root is a sibling (bonding_private), so the streams do not overlap.
    expect(declaration.stream).toMatchObject({ name: 'BONDING_EVENTS', subjects: ['bonding.>'] });
    for (const service of Object.keys(subscriptions)) {
      const consumers = consumersOf(declaration, service).filter((c) => c.stream === 'BONDING_EVENTS');
      expect(consumers.map((c) => c.durable)).toEqual(
        Array.from({ length: 16 }, (_, p) => `${service}-p${String(p).padStart(2, '0')}`),
      );
      expect(consumers.every((c) => c.filterSubjects.every((s) => s.endsWith(`.${c.partition}`)))).toBe(true);
    }
    const loans = consumersOf(declaration, 'loans')[3];
    expect(loans?.filterSubjects.sort()).toEqual(
      [
        'bonding.identity.user.disabled.3',
        'bonding.identity.session.ended.3',
        'bonding.ledger.transfer.completed.3',
        'bonding.ledger.disbursement.failed.3',
        'bonding.ledger.tranche.released.3',
        'bonding.ledger.tranche.releaseFailed.3',
      ].sort(),
    );
    // The data filter stays a pattern the consumer checks.
    expect(loans?.patterns).toContain('transfer.completed?purpose=disbursement');
    // notifications takes user.* whole: one wildcard subject, not one per type.
    expect(consumersOf(declaration, 'notifications')[0]?.filterSubjects).toContain(
      'bonding.identity.user.*.0',
    );
    expect(consumersOf(declaration, 'notifications')[0]?.filterSubjects).toContain('bonding.loans.loan.*.0');
    expect(declaration.consumers[0]).toMatchObject({ maxDeliver: 20 + 3, ackWaitMs: 15_000 });
  });

  it('puts the types carrying one-time codes on the private stream, read by notifications alone', () => {
    const declaration = declareJetStream({ services, subscriptions, secretReaders });
    expect(declaration.privateStream).toEqual({
      name: 'BONDING_EVENTS_PRIVATE',
      subjects: ['bonding_private.>'],
      maxAgeMs: 3_600_000,
      duplicateWindowMs: 10 * 60_000,
      replicas: 1,
    });
    expect(subjectOf('bonding', 'identity', 'user.passwordResetRequested', 'u1')).toBe(
      `bonding_private.identity.user.passwordResetRequested.${partitionOf('u1')}`,
    );
    const readers = [
      ...new Set(
        declaration.consumers.filter((c) => c.stream === 'BONDING_EVENTS_PRIVATE').map((c) => c.service),
      ),
    ];
    expect(readers).toEqual(['notifications']);
    const secret = consumersOf(declaration, 'notifications').filter(
      (c) => c.stream === 'BONDING_EVENTS_PRIVATE',
    );
    expect(secret.map((c) => c.durable)).toEqual(
      Array.from({ length: 16 }, (_, p) => `notifications-private-p${String(p).padStart(2, '0')}`),
    );
    expect(secret[5]?.filterSubjects.sort()).toEqual(
      [
        'bonding_private.identity.user.emailVerificationRequested.5',
        'bonding_private.identity.user.passwordResetRequested.5',
        'bonding_private.identity.user.emailChangeRequested.5',
        'bonding_private.loans.loan.guarantorRequested.5',
      ].sort(),
    );
    // Another service taking user.* would take the codes: refused, not silently narrowed.
    expect(() =>
      declareJetStream({
        services: [{ name: 'identity', produces: ['user.*'] }],
        subscriptions: { students: ['user.*'] },
        secretReaders: ['notifications'],
      }),
    ).toThrow(/students subscribes to .*user\.passwordResetRequested.*only notifications/);
  });

  it("names in a service's runtime the durables provisioning declares for it", () => {
    const platform = declareJetStream({ services, subscriptions, secretReaders });
    for (const [service, entries] of Object.entries(subscriptions)) {
      const patterns = entries.map((e) =>
        typeof e === 'string' ? e : `${e.type}?${e.where.field}=${e.where.equals}`,
      );
      const declared = consumersOf(platform, service);
      expect(durablesOf(service, patterns, 'BONDING_EVENTS')).toEqual(
        declared.map(({ stream, durable }) => ({ stream, durable })),
      );
      expect(declared.every((consumer) => consumer.patterns.join() === patterns.join())).toBe(true);
    }
    expect(durablesOf('identity', [], 'BONDING_EVENTS')).toEqual([]);
  });

  it('refuses a subscription nobody produces', () => {
    expect(() =>
      declareJetStream({
        services: [{ name: 'a', produces: ['user.*'] }],
        subscriptions: { b: ['loan.approved'] },
        secretReaders: [],
      }),
    ).toThrow(/no service produces/);
  });

  it('keeps the streams shorter-lived than the inbox remembers', () => {
    expect(defaultJetStreamSettings.maxAgeMs).toBeLessThan(30 * 24 * 3_600_000);
    expect(defaultJetStreamSettings.privateMaxAgeMs).toBeLessThan(defaultJetStreamSettings.maxAgeMs);
  });
});

describe('provisioning', () => {
  let nc: NatsConnection;
  const declarations: Array<ReturnType<typeof testDeclaration>> = [];
  beforeAll(async () => {
    nc = await connectTestNats();
  });
  afterAll(async () => {
    for (const declaration of declarations) await deleteStream(nc, declaration);
    await nc.close();
  });

  it('creates the stream and durables, and a second run changes nothing', async () => {
    const declaration = testDeclaration();
    declarations.push(declaration);
    const first = await provisionJetStream(nc, declaration);
    expect(first.stream).toBe('created');
    expect(first.privateStream).toBe('created');
    expect(Object.values(first.consumers)).toEqual(Array(32).fill('created'));
    const second = await provisionJetStream(nc, declaration);
    expect(second.stream).toBe('unchanged');
    expect(second.privateStream).toBe('unchanged');
    expect(Object.values(second.consumers)).toEqual(Array(32).fill('unchanged'));
    expect(second.extra).toEqual([]);
  });

  it('updates a changed setting in place and reports durables it does not declare', async () => {
    const declaration = testDeclaration();
    declarations.push(declaration);
    await provisionJetStream(nc, declaration);
    const changed = declareJetStream(
      {
        services: [{ name: 'producer', produces: ['user.*'] }],
        subscriptions: { consumer: ['user.registered', 'user.updated'] },
        secretReaders: [],
      },
      { ...declaration.settings, maxAttempts: 5, maxAgeMs: declaration.settings.maxAgeMs / 2 },
    );
    const report = await provisionJetStream(nc, changed);
    expect(report.stream).toBe('updated');
    expect(Object.values(report.consumers)).toEqual(Array(16).fill('updated'));
    expect(report.extra.sort()).toEqual(
      Array.from({ length: 16 }, (_, p) => `students-p${String(p).padStart(2, '0')}`).sort(),
    );
    expect((await provisionJetStream(nc, changed)).stream).toBe('unchanged');
  });

  it('publishes a secret type to the private stream only, where its reader’s private durable takes it', async () => {
    const declaration = testDeclaration();
    const secret = declareJetStream(
      {
        services: [{ name: 'producer', produces: ['user.*'] }],
        subscriptions: { reader: ['user.registered', 'user.passwordResetRequested'] },
        secretReaders: ['reader'],
      },
      declaration.settings,
    );
    declarations.push(secret);
    const report = await provisionJetStream(nc, secret);
    expect(report).toMatchObject({ stream: 'created', privateStream: 'created' });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(secret.privateStream.name);
    expect(info.config).toMatchObject({ subjects: [`${secret.settings.prefix}_private.>`] });
    expect(info.config.max_age).toBe(3_600_000 * 1_000_000);

    const userId = '0190b1f2-7c1e-7000-8000-00000000beef';
    const target = {
      js: jetstream(nc),
      stream: secret.stream.name,
      prefix: secret.settings.prefix,
      source: 'producer',
      timeoutMs: 2_000,
    };
    const event = {
      seq: '1',
      id: '0190b1f2-7c1e-7000-8000-000000000c0d',
      type: 'user.passwordResetRequested',
      version: 1,
      aggregate_key: userId,
      payload: JSON.stringify({ userId, resetCode: 'x'.repeat(32), expiresAt: new Date().toISOString() }),
      occurred_at: new Date(),
      traceparent: null,
      tracestate: null,
    };
    expect(await publishOutboxEvent(target, event)).toMatchObject({ stream: secret.privateStream.name });
    expect((await jsm.streams.info(secret.stream.name)).state.messages).toBe(0);
    expect((await jsm.streams.info(secret.privateStream.name)).state.messages).toBe(1);
    const partition = partitionOf(userId);
    const durable = consumersOf(secret, 'reader').find(
      (c) => c.stream === secret.privateStream.name && c.partition === partition,
    );
    expect(durable?.durable).toBe(`reader-private-p${String(partition).padStart(2, '0')}`);
    const msg = await (
      await jetstream(nc).consumers.get(durable?.stream as string, durable?.durable as string)
    ).next({
      expires: 2_000,
    });
    expect(msg?.subject).toBe(
      `${secret.settings.prefix}_private.producer.user.passwordResetRequested.${partition}`,
    );
    await msg?.ackAck();
  });

  it("removes a server-side backoff an older release set, which would stretch the consumer's retry delays", async () => {
    const declaration = testDeclaration();
    declarations.push(declaration);
    await provisionJetStream(nc, declaration);
    const jsm = await jetstreamManager(nc);
    const durable = declaration.consumers[0]?.durable as string;
    const seconds = (n: number) => n * 1_000_000_000;
    // What the first JetStream release provisioned: ack wait 15 s, backoff [15 s, 1 min, 5 min, 10 min].
    await jsm.consumers.update(declaration.stream.name, durable, {
      ack_wait: seconds(15),
      backoff: [seconds(15), seconds(60), seconds(300), seconds(600)],
    });
    const report = await provisionJetStream(nc, declaration);
    expect(report.consumers[durable]).toBe('updated');
    const { config } = await jsm.consumers.info(declaration.stream.name, durable);
    expect(config.backoff ?? []).toEqual([]);
    expect(config.ack_wait).toBe(seconds(10));
  });
});
