import { randomBytes } from 'node:crypto';
import { createDatabase } from '@bonding/kit';
import {
  createApiClient,
  type OtlpReceiver,
  OtlpSpanKind,
  type ServiceProcess,
  startOtlpReceiver,
  waitFor,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationsDatabase } from '../../services/notifications/src/db/schema.js';
import type { StudentsDatabase } from '../../services/students/src/db/schema.js';
import { type Person, registerStudent, signInAdmin } from './journeys.js';
import { PLATFORM_SERVICES, type Platform, type PlatformService, startPlatform } from './platform.js';

/**
 * Identity's events reach the services that consume them, wired from the service registry: the
 * directories of students and notifications fill and follow, and a disabled user's unexpired token is
 * refused everywhere within seconds, also by a second ledger replica (it shares the ledger's durables, and
 * learns what the other applied through the revocations their database shares).
 */
let platform: Platform;
let receiver: OtlpReceiver;
let studentsDb: ReturnType<typeof createDatabase<StudentsDatabase>>;
let notificationsDb: ReturnType<typeof createDatabase<NotificationsDatabase>>;
let ledgerReplica: ServiceProcess;

const tracing = (receiverEndpoint: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiverEndpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  platform = await startPlatform({
    name: 'identity_events',
    services: PLATFORM_SERVICES,
    startTimeoutMs: 120_000,
    env: {
      // Info, so identity's "stopped" line shows; traced, so a request can be followed into the consumers.
      identity: { LOG_LEVEL: 'info', ...tracing(receiver.endpoint) },
      students: tracing(receiver.endpoint),
      notifications: tracing(receiver.endpoint),
      // The replica polls the shared revocations often, so "within seconds" holds on a loaded machine.
      ledger: { REVOCATION_SYNC_INTERVAL_MS: '250' },
    },
  });
  ledgerReplica = await platform.replica('ledger');
  studentsDb = createDatabase<StudentsDatabase>({ url: platform.databaseUrl('students'), poolSize: 2 });
  notificationsDb = createDatabase<NotificationsDatabase>({
    url: platform.databaseUrl('notifications'),
    poolSize: 2,
  });
}, 300_000);
afterAll(async () => {
  await studentsDb?.close();
  await notificationsDb?.close();
  await platform?.close();
  await receiver?.close();
});

/** Calls one process directly (not through the edge): a replica has no route of its own there. */
const direct = (base: string) => createApiClient((path, init) => fetch(`${base}${path}`, init));

describe('the student directory', () => {
  it("learns of registered students from identity's events, and not of agents", async () => {
    const tag = Date.now().toString(36);
    // The agent registers first, so its event is delivered before the student's is seen.
    const agent = await platform.api('POST', '/auth/register', {
      body: {
        email: `agent.${tag}@example.test`,
        password: 'a-good-long-password',
        firstName: 'Yamikani',
        lastName: `Mvula${tag}`,
        role: 'agent',
      },
    });
    expect(agent.status).toBe(201);
    const student = await platform.api('POST', '/auth/register', {
      body: {
        email: `dir.${tag}@example.test`,
        password: 'a-good-long-password',
        firstName: 'Thandiwe',
        lastName: `Mvula${tag}`,
        role: 'student',
        regNumber: `DIR/${tag}`,
      },
    });
    expect(student.status).toBe(201);

    const token = await signInAdmin(platform);
    const found = await waitFor(
      async () => {
        const { items } = (await platform.api('GET', `/students?q=Mvula${tag}`, { token })).json as {
          items: { studentId: string; regNumber: string | null }[];
        };
        return items.length > 0 ? items : undefined;
      },
      { timeoutMs: 10_000, what: 'the student in the directory' },
    );
    expect(found).toEqual([expect.objectContaining({ studentId: student.json.id, regNumber: `DIR/${tag}` })]);

    // A staff read of the file works from the directory alone, before the student filed anything.
    const file = await platform.api('GET', `/students/${student.json.id}`, { token });
    expect(file.status).toBe(200);
    expect(file.json.completeness.complete).toBe(false);
  });
});

describe('identity events reach the services that consume them', () => {
  it('fill their directories with the fields they need, continuing the trace of the request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const tag = randomBytes(4).toString('hex');
    const who = { email: `traced.${tag}@example.test`, regNumber: `TR/${tag}` };
    const registered = await direct(platform.url('identity'))('POST', '/api/v1/auth/register', {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: {
        ...who,
        password: 'a-good-long-password',
        firstName: 'Tadala',
        lastName: 'Chirwa',
        role: 'student',
      },
    });
    expect(registered.status).toBe(201);
    const userId = registered.json.id as string;

    const students = await waitFor(
      () =>
        studentsDb.db
          .selectFrom('student_directory')
          .selectAll()
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      { what: "the student's entry in the students directory" },
    );
    expect(students).toMatchObject({
      user_id: userId,
      first_name: 'Tadala',
      last_name: 'Chirwa',
      reg_number: who.regNumber,
    });
    const notifications = await waitFor(
      () =>
        notificationsDb.db
          .selectFrom('user_directory')
          .selectAll()
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      { what: "the user's entry in the notifications directory" },
    );
    expect(notifications).toMatchObject({
      user_id: userId,
      email: who.email,
      first_name: 'Tadala',
      last_name: 'Chirwa',
      role: 'student',
      status: 'active',
    });

    // The verification code came on the private stream (its own durables, notifications only): the mail
    // carrying it is queued in notifications' outbox.
    const mail = await waitFor(
      () =>
        notificationsDb.db
          .selectFrom('mail_outbox')
          .select(['template', 'params'])
          .where('user_id', '=', userId)
          .where('template', '=', 'email_verification')
          .executeTakeFirst(),
      { what: "the verification e-mail in notifications' mail outbox" },
    );
    expect(JSON.parse(mail.params)).toMatchObject({ verificationCode: expect.any(String) });

    // Each consumer processed the event inside the trace of the request that caused it.
    for (const consumer of ['students', 'notifications'] as const) {
      await waitFor(
        () =>
          receiver
            .trace(traceId)
            .find(
              (span) =>
                span.service === consumer &&
                span.kind === OtlpSpanKind.CONSUMER &&
                span.name === 'process user.registered',
            ),
        { timeoutMs: 20_000, what: `${consumer}'s processing of user.registered in trace ${traceId}` },
      );
    }
  });
});

interface Probe {
  method: string;
  path: string;
  accepted: number;
}
interface Target {
  name: string;
  base: string;
  probe: Probe;
}

/**
 * A call each service lets a signed-in student make, and its answer to a good token (catalog's staff
 * route answers 403: the token was accepted, the role was not).
 */
const probes: Record<PlatformService, Probe> = {
  identity: { method: 'GET', path: '/api/v1/auth/me', accepted: 200 },
  students: { method: 'GET', path: '/api/v1/students/me', accepted: 200 },
  catalog: { method: 'POST', path: '/api/v1/products', accepted: 403 },
  ledger: { method: 'GET', path: '/api/v1/accounts', accepted: 200 },
  loans: { method: 'GET', path: '/api/v1/loans', accepted: 200 },
  notifications: { method: 'GET', path: '/api/v1/notifications', accepted: 200 },
};

/** Every process that checks tokens: each service, and the ledger's second replica. */
const targets = (): Target[] => [
  ...PLATFORM_SERVICES.map((name) => ({ name, base: platform.url(name), probe: probes[name] })),
  { name: 'ledger replica', base: ledgerReplica.baseUrl, probe: probes.ledger },
];

const call = (target: Target, token: string) =>
  direct(target.base)(target.probe.method, target.probe.path, {
    token,
    body: target.probe.method === 'POST' ? {} : undefined,
  });

describe('a disabled user', () => {
  let student: Person;
  let other: Person;
  beforeAll(async () => {
    [student, other] = await Promise.all([registerStudent(platform), registerStudent(platform)]);
    // Students answers /students/me once identity's event has made the student known there.
    for (const person of [student, other])
      for (const target of targets())
        await waitFor(async () => (await call(target, person.token)).status === target.probe.accepted, {
          timeoutMs: 20_000,
          what: `${target.name} to accept a new student's token`,
        });
  }, 120_000);

  it('has an unexpired token refused by every service and replica within seconds, and after a restart', async () => {
    const adminToken = await signInAdmin(platform);
    const disabled = await platform.api('POST', `/users/${student.id}/disable`, {
      token: adminToken,
      body: {},
    });
    expect(disabled.status).toBe(200);
    const disabledAt = Date.now();

    await Promise.all(
      targets().map(async (target) => {
        // Refused, and for the user's revocation: two replicas of a service share its durables, so one may
        // apply the session.ended that follows user.disabled and refuse with session_ended until its next
        // revocation sync (REVOCATION_SYNC_INTERVAL_MS) brings it the revocation the other replica applied.
        const refused = await waitFor(
          async () => {
            const answer = await call(target, student.token);
            return answer.status === 401 && answer.json.code === 'token_revoked' ? answer : undefined;
          },
          { timeoutMs: 10_000, what: `${target.name} to refuse the token as revoked` },
        );
        expect(refused.json.code, target.name).toBe('token_revoked');
      }),
    );
    // "Within seconds" (not a latency measurement: a loaded machine may take a few): the token would
    // otherwise stay good for 15 minutes.
    expect(Date.now() - disabledAt).toBeLessThan(10_000);

    // A restarted service has not forgotten.
    await platform.stop('ledger', 'SIGTERM');
    await platform.start('ledger');
    const ledger = { name: 'ledger', base: platform.url('ledger'), probe: probes.ledger };
    expect((await call(ledger, student.token)).json.code).toBe('token_revoked');

    // The notifications directory followed the status change too.
    await waitFor(
      async () =>
        (
          await notificationsDb.db
            .selectFrom('user_directory')
            .select('status')
            .where('user_id', '=', student.id)
            .executeTakeFirst()
        )?.status === 'disabled',
      { what: 'the notifications directory to show the user disabled' },
    );
  }, 60_000);

  it("leaves other users' tokens working", async () => {
    for (const target of targets())
      expect((await call(target, other.token)).status, target.name).toBe(target.probe.accepted);
  });
});

describe('identity', () => {
  // Last: the services above need identity.
  it('stops cleanly on SIGTERM with its outbox publisher running', async () => {
    const identity = platform.process('identity') as ServiceProcess;
    expect(await identity.stop('SIGTERM')).toBe(0);
    expect(identity.output()).toContain('"msg":"stopped"');
  });
});
