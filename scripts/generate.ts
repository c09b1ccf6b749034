// `npm run generate`: writes every generated file (platform/generate/generated-files.ts).
// `--check` (run by `npm run lint` and npm test's lint step) writes nothing and fails when a file
// differs from what would be generated, naming it and the command that brings it up to date.
// Both first hold the declaration to the services' OpenAPI documents (platform/generate/shape-check.ts)
// and its subscriptions to the subscribers' handlers (platform/generate/handler-check.ts).
import { staleFiles, staleMessage, writeGenerated } from '../platform/generate/freshness.js';
import { generatedFiles } from '../platform/generate/generated-files.js';
import { unhandledSubscriptions } from '../platform/generate/handler-check.js';
import { shapeProblems } from '../platform/generate/shape-check.js';
import { repoRoot } from './lib/paths.js';

const problems = [...(await shapeProblems()), ...unhandledSubscriptions(repoRoot)];
for (const problem of problems) process.stderr.write(`generate: ${problem}\n`);

if (process.argv.includes('--check')) {
  const stale = await staleFiles(repoRoot);
  if (stale.length > 0) process.stderr.write(`${staleMessage(stale)}\n`);
  if (stale.length > 0 || problems.length > 0) process.exit(1);
  process.stdout.write(`generate: ${generatedFiles.length} generated files are up to date\n`);
} else {
  for (const path of await writeGenerated(repoRoot)) process.stdout.write(`generate: wrote ${path}\n`);
  if (problems.length > 0) process.exit(1);
}
