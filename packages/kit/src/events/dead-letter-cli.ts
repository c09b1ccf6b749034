import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import {
  discardInboxDeadLetters,
  INBOX_DEAD_LETTER_STATUSES,
  type InboxDeadLetterStatus,
  LETTER_ID,
  listInboxDeadLetters,
  replayInboxDeadLetters,
} from './jetstream/dead-letters.js';

/**
 * The operator's commands on a consuming service's dead letters, in its own database. Replay and discard
 * only mark; the running service's replay pass applies (consumer.ts), so the command needs no NATS and no
 * handlers.
 */
export const INBOX_DEAD_LETTER_USAGE = `usage:
  dead-letters list    [--type <event type>] [--status dead|parked|replay|replayed|discarded] [--limit <n>]
  dead-letters replay  <letter id>...
  dead-letters replay  --all [--type <event type>]
  dead-letters discard <letter id>...`;

/**
 * The body of every consuming service's `src/dead-letters.ts`: runs the command given on the command line
 * on the service's own dead letters at MYSQL_URL, and sets the exit code.
 */
export async function deadLettersFromCli(
  service: string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const { MYSQL_URL } = loadConfig(z.object({ MYSQL_URL: baseConfigShape.MYSQL_URL }));
  const database = createDatabase({ url: MYSQL_URL, poolSize: 1 });
  try {
    process.exitCode = await inboxDeadLetterCommand(database.db, service, argv, (line) =>
      process.stdout.write(`${line}\n`),
    );
  } catch (error) {
    process.stderr.write(`${service}: dead-letters failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}

const parseCommandLine = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string', default: '100' },
      all: { type: 'boolean', default: false },
    },
  });

/** Runs one command against the consuming `service`'s database; writes one line per letter or a count. */
export async function inboxDeadLetterCommand(
  // biome-ignore lint/suspicious/noExplicitAny: any service schema; only the kit's tables are touched.
  db: Kysely<any>,
  service: string,
  argv: readonly string[],
  write: (line: string) => void,
): Promise<number> {
  const fail = (message: string) => {
    write(message);
    return 2;
  };
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return fail(`${(error as Error).message}\n${INBOX_DEAD_LETTER_USAGE}`);
  }
  const [command, ...ids] = parsed.positionals;
  const { type, status, all } = parsed.values;
  const badIds = 'letter ids are positive integers (the #numbers that list shows)';

  if (command === 'list') {
    const limit = Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1) return fail('--limit must be a positive integer');
    const statuses: readonly string[] = INBOX_DEAD_LETTER_STATUSES;
    if (status !== undefined && !statuses.includes(status))
      return fail(`--status is one of ${statuses.join(', ')}`);
    const letters = await listInboxDeadLetters(db, {
      consumer: service,
      type,
      status: status as InboxDeadLetterStatus | undefined,
      limit,
    });
    for (const letter of letters) {
      write(
        [
          `#${letter.id}`,
          letter.status,
          `${letter.type}@${letter.version}`,
          `event ${letter.eventId}`,
          `from ${letter.source}`,
          `after ${letter.deliveries} delivery(ies)`,
          `since ${letter.updatedAt}`,
          `— ${letter.reason ?? (letter.status === 'parked' ? 'behind a dead letter of its aggregate' : 'no reason recorded')}`,
        ].join('  '),
      );
    }
    write(`${letters.length} letter(s)${letters.length === limit ? ' shown (raise --limit for more)' : ''}`);
    return 0;
  }

  if (command === 'replay') {
    if (all === ids.length > 0)
      return fail(`replay needs letter ids or --all, not both\n${INBOX_DEAD_LETTER_USAGE}`);
    if (!ids.every((id) => LETTER_ID.test(id))) return fail(badIds);
    const marked = await replayInboxDeadLetters(
      db,
      all ? { all, filter: { consumer: service, type } } : { ids },
    );
    write(
      `${marked} dead letter(s) marked for replay; the service applies them and the events parked behind them`,
    );
    return 0;
  }

  if (command === 'discard') {
    if (ids.length === 0 || all) return fail(`discard needs letter ids\n${INBOX_DEAD_LETTER_USAGE}`);
    if (!ids.every((id) => LETTER_ID.test(id))) return fail(badIds);
    const discarded = await discardInboxDeadLetters(db, ids);
    write(`${discarded} dead letter(s) discarded; the service applies the events parked behind them`);
    return 0;
  }

  return fail(INBOX_DEAD_LETTER_USAGE);
}
