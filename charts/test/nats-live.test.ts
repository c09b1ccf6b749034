// The chart's NATS configuration on a real nats-server (the one npm test installs): the rendered
// nats.conf (one server: no routes), its passwords from the environment as the StatefulSet gives them. The
// provisioner creates both streams and the durables with its rights alone; a service publishes its own
// events and pulls and acks from its own durables, with replies on its own inbox prefix, and is refused
// another service's subjects, another service's durables, another service's inbox and the stream API;
// the private stream's one-time codes reach notifications and no one else — what the generated
// permissions (nats-permissions.yaml) promise.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxPrefixOf, privateStreamOf, subjectOf } from '../../packages/kit/src/index.js';
import { freePort, installedNatsServerBin, natsAnswers } from '../../packages/testing/src/index.js';
import { declareJetStream, defaultJetStreamSettings } from '../../platform/events/declaration.js';
import { provisionJetStream } from '../../platform/events/provision.js';
import { secretReaders, services, subscriptions } from '../../platform/shape.js';
import { findHelm, renderChartWith, repoRoot } from './helm.js';

/** The few calls of the NATS client this test makes (it is the kit's dependency, not the root's). */
interface Msg {
  subject: string;
  ackAck(): Promise<boolean>;
}
interface Subscription {
  closed: Promise<unknown>;
}
interface Connection {
  close(): Promise<void>;
  info?: { version: string };
  subscribe(subject: string): Subscription;
  request(subject: string, data?: string, options?: { timeout: number }): Promise<{ string(): string }>;
}
interface JetStream {
  publish(subject: string, data: string, options?: { msgID?: string; timeout?: number }): Promise<unknown>;
  consumers: {
    get(stream: string, durable: string): Promise<{ next(o: { expires: number }): Promise<Msg | null> }>;
  };
}
interface Manager {
  streams: { add(config: { name: string; subjects: string[] }): Promise<unknown> };
}
type Connect = (options: {
  servers: string;
  user: string;
  pass: string;
  name: string;
  inboxPrefix?: string;
}) => Promise<Connection>;

const kitRequire = createRequire(join(repoRoot, 'packages', 'kit', 'package.json'));
const helm = findHelm();
const bin = installedNatsServerBin();

const STREAM = defaultJetStreamSettings.stream;
const PRIVATE = privateStreamOf(STREAM);
const PASSWORDS: Record<string, string> = {};

describe.skipIf(!helm || !bin)('the chart’s NATS users on a real nats-server', () => {
  let dir: string;
  let url: string;
  let server: ReturnType<typeof spawn> | undefined;
  /** As the user, with the inbox prefix a service's runtime uses (the provisioner keeps `_INBOX`). */
  let connectAs: (user: string, options?: { inboxPrefix?: string }) => Promise<Connection>;
  let jetstream: (nc: Connection) => JetStream;
  let jetstreamManager: (nc: Connection, options?: { checkAPI?: boolean }) => Promise<Manager>;
  const open: Connection[] = [];

  beforeAll(async () => {
    const transport = (await import(kitRequire.resolve('@nats-io/transport-node'))) as { connect: Connect };
    const js = (await import(kitRequire.resolve('@nats-io/jetstream'))) as {
      jetstream: typeof jetstream;
      jetstreamManager: typeof jetstreamManager;
    };
    jetstream = js.jetstream;
    jetstreamManager = js.jetstreamManager;
    const objects = renderChartWith(helm as string, {
      args: ['--set', 'nats.replicas=1', '--set', 'nats.stream.replicas=1'],
    });
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'bonding-nats',
    ) as unknown as {
      data: Record<string, string>;
    };
    dir = mkdtempSync(join(tmpdir(), 'bonding-nats-chart-'));
    const [port, monitor] = [await freePort(), await freePort()];
    const conf = (configMap.data['nats.conf'] as string)
      .replace('listen: "0.0.0.0:4222"', `listen: "127.0.0.1:${port}"`)
      .replace('http: "0.0.0.0:8222"', `http: "127.0.0.1:${monitor}"`)
      .replace('"/data/jetstream"', JSON.stringify(join(dir, 'jetstream')))
      .replace('"/var/run/nats/nats.pid"', JSON.stringify(join(dir, 'nats.pid')));
    expect(conf).not.toContain('cluster {');
    writeFileSync(join(dir, 'nats.conf'), conf);
    const env: Record<string, string> = { ...process.env, POD_NAME: 'bonding-nats-0' } as Record<
      string,
      string
    >;
    for (const [, user] of conf.matchAll(/user: "([^"]+)"/g)) {
      PASSWORDS[user as string] = `pw-${user}-${Math.random().toString(36).slice(2)}`;
      env[`NATS_PASSWORD_${(user as string).toUpperCase()}`] = PASSWORDS[user as string] as string;
    }
    server = spawn(bin as string, ['-c', join(dir, 'nats.conf'), '-l', join(dir, 'nats.log')], {
      env,
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    while (!(await natsAnswers(port))) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    url = `nats://127.0.0.1:${port}`;
    connectAs = async (user, options = {}) => {
      const inboxPrefix = options.inboxPrefix ?? (user === 'provisioner' ? undefined : inboxPrefixOf(user));
      const nc = await transport.connect({
        servers: url,
        user,
        pass: PASSWORDS[user] as string,
        name: user,
        ...(inboxPrefix ? { inboxPrefix } : {}),
      });
      open.push(nc);
      return nc;
    };
  }, 60_000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets the provisioner create the stream and every durable', async () => {
    const nc = await connectAs('provisioner');
    const declaration = declareJetStream(
      { services, subscriptions, secretReaders },
      { ...defaultJetStreamSettings, replicas: 1 },
    );
    const report = await provisionJetStream(nc as never, declaration);
    expect(report.stream).toBe('created');
    expect(report.privateStream).toBe('created');
    expect(Object.values(report.consumers).every((change) => change === 'created')).toBe(true);
  });

  it('lets identity publish its own events with acks, and refuses it another producer’s subjects', async () => {
    const js = jetstream(await connectAs('identity'));
    const subject = subjectOf('bonding', 'identity', 'user.registered', 'user-1');
    await expect(js.publish(subject, '{}', { msgID: 'e-1' })).resolves.toBeDefined();
    await expect(
      js.publish(subjectOf('bonding', 'loans', 'loan.approved', 'loan-1'), '{}', {
        msgID: 'e-2',
        timeout: 2000,
      }),
    ).rejects.toThrow();
  });

  it('lets students pull and ack from its own durable, and refuses it another service’s durable and the stream API', async () => {
    const nc = await connectAs('students');
    const js = jetstream(nc);
    const partition = subjectOf('bonding', 'identity', 'user.registered', 'user-1')
      .split('.')
      .at(-1) as string;
    const durable = `students-p${partition.padStart(2, '0')}`;
    const consumer = await js.consumers.get(STREAM, durable);
    const msg = await consumer.next({ expires: 5000 });
    expect(msg?.subject).toBe(subjectOf('bonding', 'identity', 'user.registered', 'user-1'));
    await expect(msg?.ackAck()).resolves.toBe(true);
    await expect(js.consumers.get(STREAM, `ledger-p${partition.padStart(2, '0')}`)).rejects.toThrow();
    // Even the account info the manager asks for first is refused; without it, creating a stream is too.
    await expect(jetstreamManager(nc)).rejects.toThrow(/Permissions Violation/);
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    await expect(jsm.streams.add({ name: 'STOLEN', subjects: ['stolen.>'] })).rejects.toThrow();
  });

  it('carries a one-time code on the private stream to notifications, and to no one else', async () => {
    const userId = 'user-with-a-code';
    const subject = subjectOf('bonding', 'identity', 'user.passwordResetRequested', userId);
    expect(subject.startsWith('bonding_private.identity.')).toBe(true);
    const identity = jetstream(await connectAs('identity'));
    await expect(identity.publish(subject, '{"code":1}', { msgID: 'code-1' })).resolves.toMatchObject({
      stream: PRIVATE,
    });
    // On the main root, where the stream keeps events for a week, identity may not put it.
    await expect(
      identity.publish(subject.replace('bonding_private.', 'bonding.'), '{}', {
        msgID: 'code-2',
        timeout: 2000,
      }),
    ).rejects.toThrow();

    const p = subject.split('.').at(-1)?.padStart(2, '0') as string;
    const notifications = jetstream(await connectAs('notifications'));
    const msg = await (await notifications.consumers.get(PRIVATE, `notifications-private-p${p}`)).next({
      expires: 5000,
    });
    expect(msg?.subject).toBe(subject);
    await expect(msg?.ackAck()).resolves.toBe(true);

    // Another service: no durable, no direct or message get, no ephemeral consumer on the private stream.
    const nc = await connectAs('students');
    await expect(jetstream(nc).consumers.get(PRIVATE, `notifications-private-p${p}`)).rejects.toThrow();
    const refused = (api: string, body: string) =>
      expect(nc.request(api, body, { timeout: 2000 })).rejects.toThrow(/Permissions Violation/);
    await refused(`$JS.API.DIRECT.GET.${PRIVATE}`, '{"seq":1}');
    await refused(`$JS.API.STREAM.MSG.GET.${PRIVATE}`, '{"seq":1}');
    await refused(`$JS.API.CONSUMER.CREATE.${PRIVATE}`, '{"stream_name":"x","config":{}}');
    // The provisioner manages the stream but may not fetch its messages either.
    const provisioner = await connectAs('provisioner');
    for (const api of [`$JS.API.DIRECT.GET.${PRIVATE}`, `$JS.API.STREAM.MSG.GET.${PRIVATE}`]) {
      await expect(provisioner.request(api, '{"seq":1}', { timeout: 2000 })).rejects.toThrow(
        /Permissions Violation/,
      );
    }
  });

  it('keeps each service to its own inbox: pulls work on it, another service’s (and the shared one) are refused', async () => {
    // notifications pulled above on _INBOX_notifications; students may not listen there…
    const students = await connectAs('students');
    for (const subject of ['_INBOX_notifications.>', '_INBOX.>', '>']) {
      const closed = await students.subscribe(subject).closed;
      expect(String(closed), subject).toMatch(/Permissions Violation/);
    }
    // …and a client that keeps the shared prefix gets no reply at all, so it cannot pull.
    const shared = await connectAs('students', { inboxPrefix: '_INBOX' });
    await expect(jetstream(shared).consumers.get(STREAM, 'students-p00')).rejects.toThrow();
  });

  it('refuses a wrong password', async () => {
    const transport = (await import(kitRequire.resolve('@nats-io/transport-node'))) as { connect: Connect };
    await expect(
      transport.connect({ servers: url, user: 'identity', pass: 'wrong', name: 'x' }),
    ).rejects.toThrow();
  });

  it('enters lame-duck mode on the preStop hook’s signal, through the pid file the config names', async () => {
    const preStop = podSpecCommand();
    expect(preStop).toContain('nats-server --signal ldm=/var/run/nats/nats.pid');
    const signal = spawnSync(bin as string, ['--signal', `ldm=${join(dir, 'nats.pid')}`], {
      encoding: 'utf8',
    });
    expect(signal.status, signal.stderr).toBe(0);
    // It stops taking clients at once; it would close the connected ones over lame_duck_duration (30 s,
    // nats-server's minimum) and then exit, which the hook's sleep waits for.
    const deadline = Date.now() + 10_000;
    while (!/lame duck/i.test(readFileSync(join(dir, 'nats.log'), 'utf8')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readFileSync(join(dir, 'nats.log'), 'utf8')).toMatch(/lame duck/i);
    const transport = (await import(kitRequire.resolve('@nats-io/transport-node'))) as { connect: Connect };
    await expect(
      transport.connect({ servers: url, user: 'identity', pass: PASSWORDS.identity as string, name: 'late' }),
    ).rejects.toThrow();
  }, 30_000);
});

/** The NATS container's preStop command in the default render. */
function podSpecCommand(): string {
  const statefulSet = renderChartWith(helm as string, {}).find(
    (o) => o.kind === 'StatefulSet' && o.metadata.name === 'bonding-nats',
  ) as unknown as {
    spec: {
      template: { spec: { containers: { lifecycle?: { preStop?: { exec?: { command: string[] } } } }[] } };
    };
  };
  return (statefulSet.spec.template.spec.containers[0]?.lifecycle?.preStop?.exec?.command ?? []).join(' ');
}
