import { migrateFromCli } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';

/** `node --import tsx src/migrate.ts`: applies pending migrations and exits (init containers, npm start). */
await migrateFromCli('loans', migrations);
