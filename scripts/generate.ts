// `npm run generate`: writes every generated file (platform/generate/generated-files.ts).
// `--check` (run by `npm run lint` and npm test's lint step) writes nothing and fails when a file
// differs from what would be generated, naming it and the command that brings it up to date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../platform/generate/generated-files.js';
import { repoRoot } from './lib/paths.js';

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const file of generatedFiles) {
  const target = join(repoRoot, file.path);
  const wanted = await file.render();
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current === wanted) continue;
  if (check) stale.push(file.path);
  else {
    writeFileSync(target, wanted);
    process.stdout.write(`generate: wrote ${file.path}\n`);
  }
}
if (stale.length > 0) {
  for (const path of stale)
    process.stderr.write(`generate: ${path} is stale (edited by hand, or its sources changed)\n`);
  process.stderr.write(
    'generate: run `npm run generate` (node --import tsx scripts/generate.ts) and commit the result\n',
  );
  process.exit(1);
}
if (check) process.stdout.write(`generate: ${generatedFiles.length} generated files are up to date\n`);
