// Creates or updates the platform's JetStream streams (the events' and the private one) and durable
// consumers (declared from platform/shape.ts; docs/events.md, "JetStream transport"). Idempotent: run it
// before the services on every deploy.
//
//   node --import tsx scripts/nats-provision.ts [--replicas N] [--max-age-hours H] [--private-max-age-minutes M]
//
// NATS_URL names the server (NATS_USER, NATS_PASSWORD and NATS_TLS_CA_FILE how to connect to it); without it the project-local server is installed and started as for `npm start`.
import { parseArgs } from 'node:util';
import { provisionPlatformStreams } from './lib/jetstream-provision.js';
import { SetupError } from './lib/mysql-server.js';
import { ensureNatsServer } from './lib/nats-server.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string' },
    'max-age-hours': { type: 'string' },
    'private-max-age-minutes': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const url = process.env.NATS_URL ?? (await ensureNatsServer());
  await provisionPlatformStreams(url, {
    ...(values.replicas ? { replicas: Number(values.replicas) } : {}),
    ...(values['max-age-hours'] ? { maxAgeHours: Number(values['max-age-hours']) } : {}),
    ...(values['private-max-age-minutes']
      ? { privateMaxAgeMinutes: Number(values['private-max-age-minutes']) }
      : {}),
    auth: {
      user: process.env.NATS_USER,
      password: process.env.NATS_PASSWORD,
      tlsCaFile: process.env.NATS_TLS_CA_FILE,
    },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof SetupError ? error.message : ((error as Error).stack ?? String(error)));
  process.exit(1);
});
