// The released API contract, docs/api/openapi-v1.json (policy: docs/api-guide.md, "Compatibility and versions").
// `--write` (npm run api:snapshot) records the document the platform serves at /openapi.json now.
// `--check` (npm test's lint step, npm run lint) fails when the platform no longer serves exactly the recorded
// contract — naming each breaking change oasdiff finds, or each compatible one still to record — and when
// the recorded contract changes without a CHANGELOG.md entry (scripts/lib/api-gate.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHANGELOG_PATH, currentContractText, SNAPSHOT_PATH } from './lib/api-contract.js';
import { contractProblems } from './lib/api-gate.js';
import { fileAtHead } from './lib/git-head.js';
import { ensureOasdiff } from './lib/oasdiff-tool.js';
import { repoRoot } from './lib/paths.js';

const read = (path: string) =>
  existsSync(join(repoRoot, path)) ? readFileSync(join(repoRoot, path), 'utf8') : undefined;

const current = await currentContractText();
if (process.argv.includes('--write')) {
  const target = join(repoRoot, SNAPSHOT_PATH);
  mkdirSync(dirname(target), { recursive: true });
  const changed = read(SNAPSHOT_PATH) !== current;
  if (changed) writeFileSync(target, current);
  const paths = Object.keys((JSON.parse(current) as { paths: object }).paths).length;
  process.stdout.write(`api: ${changed ? 'wrote' : 'unchanged:'} ${SNAPSHOT_PATH} (${paths} paths)\n`);
  if (changed) process.stdout.write(`api: add an entry to ${CHANGELOG_PATH} saying what changed\n`);
} else if (process.argv.includes('--check')) {
  const problems = await contractProblems({
    oasdiff: await ensureOasdiff(),
    current,
    snapshot: read(SNAPSHOT_PATH),
    changelog: read(CHANGELOG_PATH),
    head: { snapshot: fileAtHead(SNAPSHOT_PATH), changelog: fileAtHead(CHANGELOG_PATH) },
  });
  for (const problem of problems) process.stderr.write(`api: ${problem.replaceAll('\n', '\napi: ')}\n`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write(`api: the platform serves exactly the released contract ${SNAPSHOT_PATH}\n`);
} else {
  process.stderr.write('usage: node --import tsx scripts/api-snapshot.ts --write | --check\n');
  process.exit(2);
}
