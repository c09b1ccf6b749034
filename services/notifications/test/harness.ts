import { randomUUID } from 'node:crypto';
import type { EventData, EventKey } from '@bonding/contracts';
import { createLogger, type Logger, parseConfig, runMigrations } from '@bonding/kit';
import {
  applyEventAsConsumer,
  createApiClient,
  createTestDatabase,
  createTestIssuer,
  type TestDatabase,
  type TestIssuer,
} from '@bonding/testing';
import { createNotificationsApp } from '../src/app.js';
import { buildNotificationsDeps } from '../src/build-deps.js';
import { notificationsConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';

export const SECRET = 'notifications-secret-used-only-by-these-tests-01';

export interface HarnessOptions {
  /** Share a database (and token issuer) with another instance: a second replica. */
  database?: TestDatabase;
  issuer?: TestIssuer;
  env?: Record<string, string>;
  logger?: Logger;
}

export type NotificationsHarness = Awaited<ReturnType<typeof createNotificationsHarness>>;

/** One notifications app (a replica) over a test database, with a clock tests can move forward. */
export async function createNotificationsHarness(options: HarnessOptions = {}) {
  const database = options.database ?? (await createTestDatabase('notifications'));
  const issuer = options.issuer ?? (await createTestIssuer());
  const config = parseConfig(notificationsConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: database.url,
    INTERNAL_SECRETS: SECRET,
    STREAM_POLL_INTERVAL_MS: '50',
    MAIL_POLL_INTERVAL_MS: '50',
    MAIL_RETRY_BASE_MS: '50',
    MAIL_RETRY_MAX_MS: '200',
    MAIL_SEND_TIMEOUT_MS: '2000',
    ...options.env,
  });
  let offsetMs = 0;
  const built = buildNotificationsDeps(config, {
    keys: issuer.keys,
    logger: options.logger ?? createLogger({ service: 'notifications', level: 'silent' }),
    now: () => new Date(Date.now() + offsetMs),
  });
  const { deps } = built;
  if (!options.database) await runMigrations(deps.db, database.name, migrations);
  const { app, health } = createNotificationsApp(deps);
  deps.streams.start();
  deps.mail?.start();

  const call = createApiClient((path, init) => app.request(path, init));

  /**
   * Applies an event as the JetStream consumer does (its checks, the inbox transaction, the after-commit
   * effects), without the broker. The answer in HTTP terms: 200 applied or a repeat, 400 data against the
   * contract, 422 refused for good (a dead letter), 500 a handler failing (retried).
   */
  async function deliver<Key extends EventKey>(
    key: Key,
    data: EventData<Key>,
    { id = randomUUID() }: { id?: string } = {},
  ) {
    const [type, version] = key.split('@') as [string, string];
    const envelope = {
      id,
      type,
      version: Number(version),
      occurredAt: new Date().toISOString(),
      source: type.startsWith('user') || type.startsWith('agent') ? 'identity' : 'test-producer',
      data: data as Record<string, unknown>,
    };
    return { id, ...(await applyEventAsConsumer(deps.events, envelope)) };
  }

  /** A user in the directory (as identity's events would have put them there) with an access token. */
  async function user(
    role: 'admin' | 'agent' | 'student' = 'student',
    entry: { firstName?: string; lastName?: string; email?: string; status?: 'active' | 'pending' } = {},
  ) {
    const id = randomUUID();
    const email = entry.email ?? `${role}.${id.slice(0, 8)}@example.test`;
    await deps.db
      .insertInto('user_directory')
      .values({
        user_id: id,
        email,
        first_name: entry.firstName ?? 'Chisomo',
        last_name: entry.lastName ?? 'Banda',
        role,
        status: entry.status ?? 'active',
        updated_at: new Date(),
      })
      .execute();
    return { id, email, token: await issuer.token({ sub: id, role }) };
  }

  async function notificationsOf(userId: string) {
    return deps.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('seq')
      .execute();
  }

  async function mailsOf(userId: string) {
    return deps.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
  }

  return {
    app,
    health,
    deps,
    config,
    database,
    issuer,
    call,
    deliver,
    user,
    notificationsOf,
    mailsOf,
    /** Moves this replica's clock (tickets, token lifetimes); the database keeps real time. */
    advanceClock(ms: number) {
      offsetMs += ms;
    },
    async close() {
      await deps.streams.stop();
      await deps.mail?.stop();
      await built.close();
      if (!options.database) await database.drop();
    },
  };
}

const money = (amountMinor: string, currency = 'MWK') => ({ amountMinor, currency });

export { money };
