// Command-line options of `npm run bench`. The full run stays within about 15 minutes on 2 cores;
// --quick runs every scenario briefly, to check the harness (its numbers are not worth recording).
import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Seconds each measured load run lasts. */
  durationSeconds: number;
  /** Seconds of load before each measured run, discarded (JIT, pools, caches). */
  warmupSeconds: number;
  /** Concurrent connections of each load run (the read targets are stated at 50). */
  connections: number;
  /** Entries of the two statement accounts. */
  statementSizes: { small: number; large: number };
  /** Students (each with a wallet and a token) that transfers pick from at random. */
  students: number;
  /** Also starts the services under tsx (npm start) and the images without tracing, for their RSS and start. */
  startVariants: boolean;
  /** Where the results file goes. */
  resultsDir: string;
  /** Only the scenarios whose ids start with one of these (`--only=guardians,transfers`); all when unset. */
  only: string[] | undefined;
}

const usage = `usage: npm run bench -- [--quick] [--duration=SECONDS] [--warmup=SECONDS] [--connections=N]
                        [--no-start-variants] [--results-dir=DIR] [--only=ID-PREFIX,...]`;

export function parseBenchOptions(argv: string[], defaultResultsDir: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'no-start-variants': { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const number = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} must be a positive number\n${usage}`);
    return value;
  };
  return {
    quick,
    durationSeconds: number('duration', values.duration, quick ? 3 : 10),
    warmupSeconds: number('warmup', values.warmup, quick ? 1 : 2),
    connections: number('connections', values.connections, 50),
    // The 1M account is seeded once and kept between runs, so --quick measures it too.
    statementSizes: { small: 10_000, large: 1_000_000 },
    // Enough wallets that ten transfers in flight seldom wait on each other's row locks.
    students: 200,
    startVariants: !values['no-start-variants'],
    resultsDir: values['results-dir'] ?? defaultResultsDir,
    only: values.only
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  };
}
