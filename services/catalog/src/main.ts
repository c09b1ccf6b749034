import { loadConfig, runService } from '@bonding/kit';
import { createCatalogApp } from './app.js';
import { buildCatalogDeps } from './build-deps.js';
import { catalogConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig(catalogConfigSchema);
const { deps, core } = buildCatalogDeps(config);
await runService({ config, core, migrations, service: createCatalogApp(deps) });
