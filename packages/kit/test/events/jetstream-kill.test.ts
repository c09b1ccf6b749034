import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsUrl, waitFor } from '@bonding/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryEntry } from './helpers.js';
import {
  connectTestNats,
  createJsConsumer,
  createJsProducer,
  deleteStream,
  type JsConsumer,
  type JsProducer,
  provision,
  testDeclaration,
} from './jetstream-helpers.js';

const kitDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(kitDir, 'test', 'fixtures', 'jetstream-consumer', 'main.ts');

interface Replica {
  child: ChildProcess;
  output(): string;
}

/** A replica of the consumer in a process of its own (the fixture), up once it says `consuming`. */
async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: kitDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitFor(() => output.includes('consuming') || child.exitCode !== null, {
    timeoutMs: 60_000,
    what: 'the consumer process to start',
  });
  if (child.exitCode !== null) throw new Error(`the consumer process exited:\n${output}`);
  return { child, output: () => output };
}

function kill(replica: Replica, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (replica.child.exitCode !== null || replica.child.signalCode !== null) return resolve();
    replica.child.once('exit', () => resolve());
    replica.child.kill(signal);
  });
}

describe('JetStream: a consumer SIGKILLed in the middle of a handler', () => {
  let nc: NatsConnection;
  // A short ack wait, so the event in the killed process's hands is redelivered in test time.
  const declaration = testDeclaration({ ackWaitMs: 2_000 });
  let producer: JsProducer;
  let consumer: JsConsumer;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    nc = await connectTestNats();
    await provision(nc, declaration);
    producer = await createJsProducer('js_kill_producer', nc, declaration);
    consumer = await createJsConsumer('js_kill_consumer', 'consumer', declaration);
  });
  afterAll(async () => {
    for (const replica of replicas) await kill(replica, 'SIGKILL');
    await producer?.close();
    await consumer?.close();
    await deleteStream(nc, declaration);
    await nc?.close();
  });

  it('rolls the handler back with the process and has the other replica apply the event once, in order', async () => {
    const env = {
      NATS_URL: natsUrl(),
      MYSQL_URL: consumer.url,
      JS_DECLARATION: JSON.stringify(declaration),
      JS_SERVICE: 'consumer',
    };
    const slow = await startReplica({ ...env, JS_REPLICA: 'slow', FIXTURE_HANDLER_DELAY_MS: '600000' });
    replicas.push(slow);
    const user = directoryEntry();
    const publisher = producer.publisher();
    publisher.start();
    const registered = (await producer.register(user)).id;
    const update = await producer.update({ ...user, lastName: 'AFTER' });
    // The slow replica is inside the handler of the registration, its transaction open: kill it there.
    await waitFor(() => slow.output().includes(`handling ${registered}`), {
      timeoutMs: 60_000,
      what: 'the slow replica handling the event',
    });
    await kill(slow, 'SIGKILL');

    const quick = await startReplica({ ...env, JS_REPLICA: 'quick', FIXTURE_HANDLER_DELAY_MS: '0' });
    replicas.push(quick);
    await waitFor(async () => (await consumer.effects()).some((effect) => effect.event_id === update), {
      timeoutMs: 60_000,
      what: 'both events applied by the other replica',
    });
    const effects = (await consumer.effects()).filter((effect) => effect.user_id === user.userId);
    expect(effects.map((effect) => [effect.event_id, effect.consumer])).toEqual([
      [registered, 'quick'],
      [update, 'quick'],
    ]);
    const { rows } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM inbox WHERE event_id IN (${sql.join([
      registered,
      update,
    ])})`.execute(consumer.db);
    expect(Number(rows[0]?.n)).toBe(2);
    expect(await consumer.letters()).toEqual([]);
    await publisher.stop();
  });
});
