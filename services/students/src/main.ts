import { loadConfig, runService } from '@bonding/kit';
import { createStudentsApp } from './app.js';
import { buildStudentsDeps } from './build-deps.js';
import { studentsConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig(studentsConfigSchema);
const { deps, core } = buildStudentsDeps(config);
await runService({ config, core, migrations, service: createStudentsApp(deps) });
