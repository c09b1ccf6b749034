/** `node --import tsx src/build.ts [out]`: writes the merged OpenAPI document (image builds, npm start). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlatformDocument } from './sources.js';

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'openapi.json');
const document = await buildPlatformDocument();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`docs: wrote ${out} (${Object.keys(document.paths).length} paths)\n`);
