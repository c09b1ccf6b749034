import type { Kysely, Transaction } from 'kysely';

/** Errors after which InnoDB has rolled the whole transaction back, so running it again is safe. */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export function isRetryableTransactionError(error: unknown): boolean {
  return RETRYABLE.has((error as { code?: string }).code ?? '');
}

/**
 * Runs a transaction again when the database chose it as a deadlock victim.
 * Bounded, with a short random pause so the contenders do not collide again.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** `work` in a READ COMMITTED transaction, run again when InnoDB chose it as a deadlock victim. */
export function inReadCommitted<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return retryOnDeadlock(() => db.transaction().setIsolationLevel('read committed').execute(work));
}
