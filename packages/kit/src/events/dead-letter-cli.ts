import { parseArgs } from 'node:util';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { listDeadLetters, replayDeadLetters } from './dead-letters.js';
import type { AnyDatabase } from './tables.js';

export const DEAD_LETTER_USAGE = `usage:
  dead-letters list   [--subscriber <name>] [--type <event type>] [--limit <n>]
  dead-letters replay <delivery id>...
  dead-letters replay --all [--subscriber <name>] [--type <event type>]`;

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      subscriber: { type: 'string' },
      type: { type: 'string' },
      limit: { type: 'string', default: '100' },
      all: { type: 'boolean', default: false },
    },
  });
}

/**
 * Runs one dead-letter command against a service's database and writes what
 * it did, one line per dead letter or a count. Returns the exit code.
 */
export async function deadLetterCommand(
  db: AnyDatabase,
  argv: readonly string[],
  write: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    write(`${(error as Error).message}\n${DEAD_LETTER_USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const filter = { subscriber: parsed.values.subscriber, type: parsed.values.type };

  if (command === 'list') {
    const limit = Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      write('--limit must be a positive integer');
      return 2;
    }
    const letters = await listDeadLetters(db, { ...filter, limit });
    for (const letter of letters) {
      write(
        [
          `#${letter.id}`,
          `${letter.type}@${letter.version}`,
          `event ${letter.eventId}`,
          `to ${letter.subscriber}`,
          `after ${letter.attempts} attempt(s)`,
          `dead since ${letter.deadAt}`,
          `— ${letter.reason ?? 'no reason recorded'}`,
        ].join('  '),
      );
    }
    write(
      `${letters.length} dead letter(s)${letters.length === limit ? ' shown (raise --limit for more)' : ''}`,
    );
    return 0;
  }

  if (command === 'replay') {
    if (parsed.values.all === rest.length > 0) {
      write(`replay needs delivery ids or --all, not both\n${DEAD_LETTER_USAGE}`);
      return 2;
    }
    if (rest.some((id) => !/^[1-9]\d{0,18}$/.test(id))) {
      write('delivery ids are positive integers (the #numbers that list shows)');
      return 2;
    }
    const replayed = parsed.values.all
      ? await replayDeadLetters(db, { all: true, filter })
      : await replayDeadLetters(db, { ids: rest });
    write(`${replayed} dead letter(s) queued for delivery again`);
    return 0;
  }

  write(DEAD_LETTER_USAGE);
  return 2;
}

/**
 * The body of every service's `src/dead-letters.ts`: runs the command given
 * on the command line against MYSQL_URL and sets the exit code.
 */
export async function deadLettersFromCli(
  service: string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const { MYSQL_URL } = loadConfig(z.object({ MYSQL_URL: baseConfigShape.MYSQL_URL }));
  const database = createDatabase({ url: MYSQL_URL, poolSize: 1 });
  try {
    process.exitCode = await deadLetterCommand(database.db, argv, (line) =>
      process.stdout.write(`${line}\n`),
    );
  } catch (error) {
    process.stderr.write(`${service}: dead-letters failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
