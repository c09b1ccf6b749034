import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { ServiceApp } from './app.js';
import type { BaseConfig } from './config.js';
import { isDatabaseUnavailable } from './db/availability.js';
import { type Migration, runMigrations } from './db/migrations.js';
import type { EventRuntime } from './events/runtime.js';
import type { Logger } from './logger.js';
import { startServer } from './server.js';

export interface RunServiceOptions<DB> {
  config: BaseConfig;
  core: {
    db: Kysely<DB>;
    databaseName: string;
    logger: Logger;
    events: EventRuntime<DB>;
    close(): Promise<void>;
  };
  migrations: Migration[];
  service: ServiceApp;
  /** One-off start work (the first admin, system accounts); a failure is logged, and readiness tells. */
  prepare?: () => Promise<void>;
  /** Background jobs started by the service; stopped, finishing what is in flight, before the pool closes. */
  background?: Array<{ stop(): Promise<void> | void }>;
  /** More cleanups, run after the background and events stop and before the pool closes. */
  cleanups?: Array<() => Promise<void> | void>;
}

/**
 * The body of every service's main.ts: optional migrations, start work, the
 * events backbone, then the server with graceful shutdown in the right order.
 */
export async function runService<DB>(options: RunServiceOptions<DB>): Promise<void> {
  const { config, core, service } = options;
  const { logger } = core;
  if (config.MIGRATE_ON_START) {
    const applied = await whileDatabaseStarts(logger, () =>
      runMigrations(core.db, core.databaseName, options.migrations),
    );
    logger.info({ applied }, 'migrations applied');
  }
  if (options.prepare) {
    try {
      await options.prepare();
    } catch (error) {
      // The database or its schema may not be there yet: readiness stays red until it is.
      logger.error({ err: error }, 'start-up work failed; the next start retries it');
    }
  }
  // Revocations persisted by any replica are loaded before traffic; then the relay and purge start.
  await whileDatabaseStarts(logger, () => core.events.start());
  await startServer({
    app: service.app,
    health: service.health,
    logger,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    cleanups: [
      ...(options.background ?? []).map((task) => () => task.stop()),
      () => core.events.stop(),
      ...(options.cleanups ?? []),
      () => core.close(),
    ],
    handleSignals: true,
  });
}

/**
 * Start-up steps that need the database wait for it for a while (a database pod starting next to the
 * service, a busy server slow to accept) instead of exiting at the first refused or timed-out connection.
 * Anything else, or a database still away after the wait, ends the start as before.
 */
async function whileDatabaseStarts<T>(logger: Logger, step: () => Promise<T>, waitMs = 60_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() >= deadline) throw error;
      const delayMs = Math.min(250 * 2 ** (attempt - 1), 5_000);
      logger.warn({ err: error, attempt, delayMs }, 'database not reachable yet; retrying the start');
      await sleep(delayMs);
    }
  }
}
