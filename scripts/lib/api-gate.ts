// The API contract gate: the platform must serve exactly the recorded contract (docs/api/openapi-v1.json),
// and a change to it — a breaking one above all — is recorded on purpose, with a CHANGELOG.md entry.
// Policy: docs/api-guide.md, "Compatibility and versions".
import { contractVersion, hasVersionHeading } from './api-changelog.js';
import { CHANGELOG_PATH, SNAPSHOT_COMMAND, SNAPSHOT_PATH } from './api-contract.js';
import { type ContractChange, compareContracts, describeChange, LEVEL } from './oasdiff-run.js';

export interface GateInput {
  /** The oasdiff binary. */
  oasdiff: string;
  /** The contract the code serves now, as recorded (contractText). */
  current: string;
  /** The committed contract and changelog in the working tree; undefined when missing. */
  snapshot: string | undefined;
  changelog: string | undefined;
  /** Both as the last commit has them (git-head.ts); undefined where it has none, or there is no git. */
  head: { snapshot: string | undefined; changelog: string | undefined };
}

const POLICY = 'docs/api-guide.md#compatibility-and-versions';
/** Enough to see what changed; oasdiff lists a changed shared schema once per operation using it. */
const LISTED = 25;

function listed(changes: ContractChange[]): string[] {
  const lines = changes.slice(0, LISTED).map((change) => `  - ${describeChange(change)}`);
  if (changes.length > LISTED) lines.push(`  - … and ${changes.length - LISTED} more`);
  return lines;
}

const errors = (changes: ContractChange[]) => changes.filter((change) => change.level >= LEVEL.ERR);

/** Every way the working tree breaks the rules, as messages that say what to do; empty when it keeps them. */
export async function contractProblems(input: GateInput): Promise<string[]> {
  const { oasdiff, current, snapshot, changelog, head } = input;
  if (snapshot === undefined) return [`${SNAPSHOT_PATH} is missing: run \`${SNAPSHOT_COMMAND}\``];
  const version = contractVersion(snapshot);
  if (version === undefined) {
    return [`${SNAPSHOT_PATH} is not an OpenAPI document with an info.version: run \`${SNAPSHOT_COMMAND}\``];
  }
  const problems: string[] = [];
  const served = await compareContracts(oasdiff, 'breaking', snapshot, current);
  if (served.breaking) {
    problems.push(
      [
        `the API breaks the released contract ${SNAPSHOT_PATH}; clients written against it would fail:`,
        ...listed(errors(served.changes)),
        'If that is a mistake, change the code back. If it is intended, record it in the same commit: run ' +
          `\`${SNAPSHOT_COMMAND}\` and add an entry to ${CHANGELOG_PATH} under \`## ${version}\` naming each ` +
          `breaking change (policy: ${POLICY}).`,
      ].join('\n'),
    );
  } else if (current !== snapshot) {
    const { changes } = await compareContracts(oasdiff, 'changelog', snapshot, current);
    problems.push(
      [
        `${SNAPSHOT_PATH} is stale: the API has compatible changes the contract does not record yet` +
          (changes.length > 0 ? ':' : ' (details oasdiff does not list, such as descriptions).'),
        ...listed(changes),
        `Run \`${SNAPSHOT_COMMAND}\` to record the additive change, and note it in ${CHANGELOG_PATH} under ` +
          `\`## ${version}\`.`,
      ].join('\n'),
    );
  }
  if (changelog === undefined) {
    problems.push(
      `${CHANGELOG_PATH} is missing: it records each version of the contract (policy: ${POLICY})`,
    );
  } else if (!hasVersionHeading(changelog, version)) {
    problems.push(
      `${CHANGELOG_PATH} has no heading \`## ${version}\` for version ${version} of the contract ` +
        `(${SNAPSHOT_PATH}'s info.version): add it with an entry saying what this version changes.`,
    );
  }
  // Before a commit: a recorded change of the contract needs its entry in the same commit. (A committed
  // tree, as CI checks out, has nothing uncommitted; there the version heading above is what holds.)
  if (head.snapshot !== undefined && head.snapshot !== snapshot && head.changelog === changelog) {
    const recorded = await compareContracts(oasdiff, 'breaking', head.snapshot, snapshot);
    problems.push(
      recorded.breaking
        ? [
            `${SNAPSHOT_PATH} records breaking changes since the last commit, but ${CHANGELOG_PATH} has no new entry:`,
            ...listed(errors(recorded.changes)),
            `Add an entry naming each of them under \`## ${version}\` in ${CHANGELOG_PATH} (policy: ${POLICY}).`,
          ].join('\n')
        : `${SNAPSHOT_PATH} changed since the last commit, but ${CHANGELOG_PATH} did not: note the change ` +
            `under \`## ${version}\` in ${CHANGELOG_PATH}.`,
    );
  }
  return problems;
}
