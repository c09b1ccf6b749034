// `node --import tsx scripts/build-service.ts <service> <out-dir>`: the compiled build of one service
// (scripts/lib/build-service.ts). scripts/image-layout.sh runs it for the images.
import { resolve } from 'node:path';
import { buildService } from './lib/build-service.js';

const [service, outDir] = process.argv.slice(2);
if (!service || !outDir) {
  console.error('usage: node --import tsx scripts/build-service.ts <service> <out-dir>');
  process.exit(2);
}
for (const file of await buildService(service, resolve(outDir))) console.log(`built ${file}`);
