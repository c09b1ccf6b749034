import { z } from 'zod';

/**
 * Settings every service shares. Defaults suit a local run; production sets
 * them through the environment (the Helm chart's ConfigMap and Secrets).
 */
export const baseConfigShape = {
  /** `production` turns off what only suits a local run. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** The address to listen on. */
  HOST: z.string().default('0.0.0.0'),
  /** The port to listen on (each service has its own default: docs/design.md §1). */
  PORT: z.coerce.number().int().min(0).max(65535),
  /** pino level; logs are JSON lines on stdout. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `mysql://user:password@host:3306/database` (password URL-encoded). */
  MYSQL_URL: z.url({ protocol: /^mysql$/, error: 'must be a mysql:// URL' }),
  /** Database connections per process. */
  MYSQL_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * How long a statement waits for a row lock before it fails (and is retried where the code retries
   * deadlocks). Shorter than an event delivery's timeout (EVENT_DELIVERY_TIMEOUT_MS, 10 s): a consumer
   * stuck behind a lock gives up and answers 500 before its producer times out and sends the event again,
   * so redeliveries never queue up behind the first attempt, each holding a connection. (The server's own
   * default is 50 s.)
   */
  MYSQL_LOCK_WAIT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** Apply migrations at start (otherwise run `node --import tsx src/migrate.ts`; in the image, `node dist/migrate.mjs`). */
  MIGRATE_ON_START: z.stringbool().default(false),
  /** The `iss` every access token must carry. */
  JWT_ISSUER: z.string().min(1).default('http://localhost:3001'),
  /** The `aud` every access token must carry. */
  JWT_AUDIENCE: z.string().min(1).default('bonding-platform'),
  /** Where the verification keys are fetched: identity's `/.well-known/jwks.json`. */
  JWKS_URL: z.url().default('http://127.0.0.1:3001/.well-known/jwks.json'),
  /** Larger request bodies get 413. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** How long in-flight requests may finish after SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Routes guarded by `guards.requireVerifiedEmail()` refuse tokens without `email_verified: true`. */
  REQUIRE_VERIFIED_EMAIL: z.stringbool().default(true),
};

export const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Turns a parse function that throws into a zod transform that reports one clean issue. */
export function parsedWith<T>(parse: (text: string) => T) {
  return z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
}

export class ConfigError extends Error {}

/**
 * Parses the environment with a zod schema. A bad or missing value becomes one
 * line per variable naming it, so an operator sees at once what to fix.
 */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    return `invalid configuration: ${variable}: ${issue.message}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/** Like parseConfig, but for a process entry point: prints the problem and exits 1. */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
