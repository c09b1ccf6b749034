import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, subscriptions } from '../../../../platform/shape.js';
import {
  consumersOf,
  declareJetStream,
  declareServiceEvents,
  defaultJetStreamSettings,
  PARTITIONS,
  partitionOf,
  provisionJetStream,
  subjectOf,
} from '../../src/index.js';
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
    const declaration = declareJetStream({ services, subscriptions });
    expect(declaration.stream).toMatchObject({ name: 'BONDING_EVENTS', subjects: ['bonding.>'] });
    for (const service of Object.keys(subscriptions)) {
      const consumers = consumersOf(declaration, service);
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

  it("gives a service's runtime the same durables and patterns from its own configuration", () => {
    const platform = declareJetStream({ services, subscriptions });
    const settings = { ...defaultJetStreamSettings, stream: 'T_X', prefix: 'tx' };
    for (const [service, entries] of Object.entries(subscriptions)) {
      const patterns = entries.map((e) =>
        typeof e === 'string' ? e : `${e.type}?${e.where.field}=${e.where.equals}`,
      );
      const own = declareServiceEvents(service, patterns, settings);
      const strip = ({ filterSubjects: _, ...rest }: { filterSubjects: string[] }) => rest;
      expect(own.consumers.map(strip)).toEqual(consumersOf(platform, service).map(strip));
      expect(own.stream).toMatchObject({ name: 'T_X', subjects: ['tx.>'] });
    }
    expect(declareServiceEvents('identity', []).consumers).toEqual([]);
  });

  it('refuses a subscription nobody produces', () => {
    expect(() =>
      declareJetStream({
        services: [{ name: 'a', produces: ['user.*'] }],
        subscriptions: { b: ['loan.approved'] },
      }),
    ).toThrow(/no service produces/);
  });

  it('keeps the stream shorter-lived than the inbox remembers', () => {
    expect(defaultJetStreamSettings.maxAgeMs).toBeLessThan(30 * 24 * 3_600_000);
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
    expect(Object.values(first.consumers)).toEqual(Array(32).fill('created'));
    const second = await provisionJetStream(nc, declaration);
    expect(second.stream).toBe('unchanged');
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
