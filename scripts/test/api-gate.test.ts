// The API contract gate (scripts/lib/api-gate.ts, npm test's lint step) on copies of the platform's own
// merged document, with the real oasdiff: what it lets through, what it refuses, and what it says.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlatformDocument } from '../../services/docs/src/sources.js';
import { hasVersionHeading } from '../lib/api-changelog.js';
import { contractText, SNAPSHOT_COMMAND, SNAPSHOT_PATH } from '../lib/api-contract.js';
import { contractProblems, type GateInput } from '../lib/api-gate.js';
import { ensureOasdiff } from '../lib/oasdiff-tool.js';

type Json = Record<string, any>;

const CHANGELOG = '# Changelog\n\n## 1\n\n- First released contract.\n';
const CHANGELOG_WITH_ENTRY = `${CHANGELOG}- A change, named.\n`;

let oasdiff: string;
let released: Json;
let releasedText: string;

beforeAll(async () => {
  // A first run builds oasdiff with go install; later ones find it in .tools/oasdiff.
  oasdiff = await ensureOasdiff();
  released = (await buildPlatformDocument()) as Json;
  releasedText = contractText(released);
}, 300_000);

/** A copy of the released document, changed by `edit`, as it would be recorded. */
function changed(edit: (document: Json) => void): string {
  const copy = structuredClone(released);
  edit(copy);
  return contractText(copy);
}

/** The working tree right after the release was committed, with what the code serves now. */
function gate(current: string, overrides: Partial<GateInput> = {}): Promise<string[]> {
  return contractProblems({
    oasdiff,
    current,
    snapshot: releasedText,
    changelog: CHANGELOG,
    head: { snapshot: releasedText, changelog: CHANGELOG },
    ...overrides,
  });
}

const schema = (document: Json, name: string): Json => document.components.schemas[name];

/** Breaking: the signed-in user's e-mail address taken out of every answer that carries a user. */
const withoutUserEmail = (document: Json) => {
  const user = schema(document, 'User');
  expect(user.required, 'the User schema requires email; pick another field if it changed').toContain(
    'email',
  );
  delete user.properties.email;
  user.required = user.required.filter((name: string) => name !== 'email');
};

/** Breaking: registration newly requires a field old clients do not send. */
const withRequiredNickname = (document: Json) => {
  const registration = schema(document, 'Registration');
  registration.properties.nickname = { type: 'string' };
  registration.required = [...(registration.required ?? []), 'nickname'];
};

/** Compatible: a new optional field in the user's answers and a new route. */
const withAdditions = (document: Json) => {
  schema(document, 'User').properties.nickname = { type: 'string' };
  document.paths['/api/v1/holidays'] = {
    get: { 'x-service': 'loans', tags: ['loans'], responses: { '200': { description: 'The holidays.' } } },
  };
};

describe('the API contract gate', () => {
  it('passes the platform serving exactly the released contract', async () => {
    expect(await gate(releasedText)).toEqual([]);
  });

  it('fails on a response field removed, naming each operation it breaks and what to do', async () => {
    const problems = await gate(changed(withoutUserEmail));
    expect(problems).toHaveLength(1);
    const [message] = problems as [string];
    expect(message).toContain(`the API breaks the released contract ${SNAPSHOT_PATH}`);
    expect(message).toContain(
      'GET /api/v1/auth/me: removed the required property `email` from the response with the `200` status ' +
        '[response-required-property-removed]',
    );
    expect(message).toContain(`run \`${SNAPSHOT_COMMAND}\` and add an entry to CHANGELOG.md under \`## 1\``);
  });

  it('fails on a required request field added', async () => {
    const [message] = await gate(changed(withRequiredNickname));
    expect(message).toContain('the API breaks the released contract');
    expect(message).toMatch(
      /POST \/api\/v1\/auth\/register: added the new required request property `nickname`/,
    );
  });

  it('lets additive changes through oasdiff, but asks for them to be recorded', async () => {
    const problems = await gate(changed(withAdditions));
    expect(problems).toHaveLength(1);
    const [message] = problems as [string];
    expect(message).not.toContain('breaks');
    expect(message).toContain(`${SNAPSHOT_PATH} is stale: the API has compatible changes`);
    expect(message).toContain('GET /api/v1/holidays: endpoint added [endpoint-added]');
    expect(message).toContain('GET /api/v1/auth/me: added the optional property `nickname` to the response');
    expect(message).toContain(`Run \`${SNAPSHOT_COMMAND}\` to record the additive change`);
  });

  it('passes additive changes recorded with a changelog entry', async () => {
    const current = changed(withAdditions);
    expect(await gate(current, { snapshot: current, changelog: CHANGELOG_WITH_ENTRY })).toEqual([]);
  });

  it('refuses a recorded change without a changelog entry before it is committed', async () => {
    const current = changed(withAdditions);
    expect(await gate(current, { snapshot: current })).toEqual([
      `${SNAPSHOT_PATH} changed since the last commit, but CHANGELOG.md did not: note the change under \`## 1\` ` +
        'in CHANGELOG.md.',
    ]);
  });

  it('names the breaking changes a refreshed snapshot records without a changelog entry', async () => {
    const current = changed(withoutUserEmail);
    const [message, ...rest] = await gate(current, { snapshot: current });
    expect(rest).toEqual([]);
    expect(message).toContain(
      'records breaking changes since the last commit, but CHANGELOG.md has no new entry',
    );
    expect(message).toContain('GET /api/v1/auth/me: removed the required property `email`');
  });

  it('passes a breaking change recorded on purpose: snapshot refreshed and an entry in the same commit', async () => {
    const current = changed(withoutUserEmail);
    expect(await gate(current, { snapshot: current, changelog: CHANGELOG_WITH_ENTRY })).toEqual([]);
  });

  it("fails when the changelog has no heading for the contract's version", async () => {
    const current = changed((document) => {
      document.info.version = '2';
    });
    expect(await gate(current, { snapshot: current, changelog: CHANGELOG_WITH_ENTRY })).toEqual([
      "CHANGELOG.md has no heading `## 2` for version 2 of the contract (docs/api/openapi-v1.json's " +
        'info.version): add it with an entry saying what this version changes.',
    ]);
  });

  it('fails without a snapshot, saying how to make one', async () => {
    expect(await gate(releasedText, { snapshot: undefined })).toEqual([
      `${SNAPSHOT_PATH} is missing: run \`${SNAPSHOT_COMMAND}\``,
    ]);
  });
});

describe('the recorded form of the contract', () => {
  it('does not depend on the order keys were declared in, but keeps the order of arrays', () => {
    expect(contractText({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      contractText({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(contractText({ a: [2, 1] })).not.toBe(contractText({ a: [1, 2] }));
  });

  it('finds a version heading only for that exact version', () => {
    expect(hasVersionHeading('# Changelog\n\n## 1\n', '1')).toBe(true);
    expect(hasVersionHeading('## v1 — the first\n', '1')).toBe(true);
    expect(hasVersionHeading('## 10\n- 1\n', '1')).toBe(false);
    expect(hasVersionHeading('### 1\n', '1')).toBe(false);
  });
});
