import { z } from 'zod';
import { baseConfigShape, loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { inboxDeadLetterCommand } from './jetstream/dead-letter-cli.js';

/**
 * The body of every consuming service's `src/dead-letters.ts`: runs the operator's command given on the
 * command line (`list`, `replay`, `discard`: jetstream/dead-letter-cli.ts) on the service's own dead
 * letters at MYSQL_URL, and sets the exit code.
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
