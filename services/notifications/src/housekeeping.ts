import type { Logger } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { purgeSentMails } from './db/mail-outbox.js';
import type { NotificationsDatabase } from './db/schema.js';
import { purgeExpiredTickets } from './db/stream-tickets.js';

/** Expired tickets are kept this long after expiry: enough to tell a used ticket from an unknown one in an incident. */
const TICKET_KEEP_MS = 24 * 3_600_000;

export interface HousekeepingOptions {
  db: Kysely<NotificationsDatabase>;
  logger: Logger;
  intervalMs: number;
  mailRetentionHours: number;
}

/**
 * Deletes what is no longer needed: sent e-mails after MAIL_RETENTION_HOURS
 * (they hold addresses and names), and stream tickets a day after they expired.
 * Dead letters stay until someone looks at them.
 */
export class Housekeeping {
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  readonly #options: HousekeepingOptions;

  constructor(options: HousekeepingOptions) {
    this.#options = options;
  }

  async runOnce(now = new Date()): Promise<{ mails: number; tickets: number }> {
    const { db, mailRetentionHours } = this.#options;
    const mails = await purgeSentMails(db, new Date(now.getTime() - mailRetentionHours * 3_600_000));
    const tickets = await purgeExpiredTickets(db, new Date(now.getTime() - TICKET_KEEP_MS));
    return { mails, tickets };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    // Jittered, so replicas started together do not purge together.
    const delay = this.#options.intervalMs * (0.75 + Math.random() / 2);
    this.#timer = setTimeout(() => {
      this.runOnce()
        .then((purged) => this.#options.logger.info({ purged }, 'notifications housekeeping done'))
        .catch((error: { code?: string }) =>
          this.#options.logger.error(
            { errorCode: error.code },
            'notifications housekeeping failed; will retry',
          ),
        )
        .finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }
}
