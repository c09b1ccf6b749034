import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { INBOX_DEAD_LETTER_STATUSES, type InboxDeadLetterStatus, LETTER_ID } from './dead-letter-tables.js';
import { discardInboxDeadLetters, listInboxDeadLetters, replayInboxDeadLetters } from './dead-letters.js';

/**
 * The operator's commands on a consuming service's dead letters (in its own database): what each service's
 * `src/dead-letters.ts` runs. Replay and discard only mark; the running service's replay pass applies
 * (consumer.ts), so the command needs no NATS and no handlers.
 */
export const INBOX_DEAD_LETTER_USAGE = `usage:
  dead-letters list    [--type <event type>] [--status dead|parked|replay|replayed|discarded] [--limit <n>]
  dead-letters replay  <letter id>...
  dead-letters replay  --all [--type <event type>]
  dead-letters discard <letter id>...`;

const STATUSES: readonly string[] = INBOX_DEAD_LETTER_STATUSES;

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string', default: '100' },
      all: { type: 'boolean', default: false },
    },
  });
}

/** Runs one command against the consuming `service`'s database; writes one line per letter or a count. */
export async function inboxDeadLetterCommand(
  // biome-ignore lint/suspicious/noExplicitAny: any service schema; only the kit's tables are touched.
  db: Kysely<any>,
  service: string,
  argv: readonly string[],
  write: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    write(`${(error as Error).message}\n${INBOX_DEAD_LETTER_USAGE}`);
    return 2;
  }
  const [command, ...ids] = parsed.positionals;
  const badIds = () => {
    if (!ids.every((id) => LETTER_ID.test(id))) {
      write('letter ids are positive integers (the #numbers that list shows)');
      return true;
    }
    return false;
  };

  if (command === 'list') {
    const limit = Number(parsed.values.limit);
    const status = parsed.values.status;
    if (!Number.isInteger(limit) || limit < 1) {
      write('--limit must be a positive integer');
      return 2;
    }
    if (status !== undefined && !STATUSES.includes(status)) {
      write(`--status is one of ${STATUSES.join(', ')}`);
      return 2;
    }
    const letters = await listInboxDeadLetters(db, {
      consumer: service,
      type: parsed.values.type,
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
    if (parsed.values.all === ids.length > 0) {
      write(`replay needs letter ids or --all, not both\n${INBOX_DEAD_LETTER_USAGE}`);
      return 2;
    }
    if (badIds()) return 2;
    const marked = parsed.values.all
      ? await replayInboxDeadLetters(db, {
          all: true,
          filter: { consumer: service, type: parsed.values.type },
        })
      : await replayInboxDeadLetters(db, { ids });
    write(
      `${marked} dead letter(s) marked for replay; the service applies them and the events parked behind them`,
    );
    return 0;
  }

  if (command === 'discard') {
    if (ids.length === 0 || parsed.values.all) {
      write(`discard needs letter ids\n${INBOX_DEAD_LETTER_USAGE}`);
      return 2;
    }
    if (badIds()) return 2;
    const discarded = await discardInboxDeadLetters(db, ids);
    write(`${discarded} dead letter(s) discarded; the service applies the events parked behind them`);
    return 0;
  }

  write(INBOX_DEAD_LETTER_USAGE);
  return 2;
}
