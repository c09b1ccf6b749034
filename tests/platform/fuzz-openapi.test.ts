import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemathesis } from '../../scripts/lib/schemathesis-tools.js';
import { repoRoot } from '../../services/gateway/test/edge.js';
import { raisedRateLimits } from './fuzz-platform.js';
import { approvedAgent, completeStudent, signIn, signInAdmin } from './journeys.js';
import { PLATFORM_ADMIN, PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';
import { failureReport, runSchemathesis, writePlatformDocument } from './schemathesis.js';

/**
 * schemathesis (PyPI, installed into .tools/schemathesis on first use) generates requests from every
 * service's OpenAPI document and sends them through the edge, once with a token of each role: no
 * answer may be a 5xx, and every answer must be documented (status, content type, headers, schema).
 * npm test runs a bounded number of examples; the longer run is documented in docs/security-testing.md:
 *   FUZZ_EXAMPLES (per operation, default 3), FUZZ_SEED (randomised generation with that seed; without it
 *   generation is deterministic, the same requests every run, so a failure reproduces),
 *   FUZZ_COVERAGE=all (the coverage phase for every role, not only the admin's).
 */
const EXAMPLES = Number(process.env.FUZZ_EXAMPLES ?? 3);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const COVERAGE_FOR_EVERY_ROLE = process.env.FUZZ_COVERAGE === 'all';
// npm test's run takes about 2 minutes for all three roles; 4 minutes each bounds it.
const ROLE_TIMEOUT_MS = Math.max(240_000, EXAMPLES * 10_000);
const reportsDir = join(repoRoot, '.local', 'fuzz');

// Least privileged first: the admin's run may disable the others.
const ROLES = ['student', 'agent', 'admin'] as const;
type Role = (typeof ROLES)[number];

let platform: Platform;
let schemathesis: string;
let schemaFile: string;
let people: Record<Role, { email: string; password: string }>;

beforeAll(async () => {
  const [started, installed] = await Promise.all([
    startPlatform({
      name: 'fuzz',
      services: PLATFORM_SERVICES,
      rateLimits: raisedRateLimits(),
      startTimeoutMs: 120_000,
    }),
    ensureSchemathesis(),
  ]);
  platform = started;
  schemathesis = installed;
  const adminToken = await signInAdmin(platform);
  // A complete bonding file lets the student's requests reach past "file incomplete" into loans.
  const [student, agent] = await Promise.all([
    completeStudent(platform),
    approvedAgent(platform, adminToken),
  ]);
  people = { student, agent, admin: PLATFORM_ADMIN };
  schemaFile = await writePlatformDocument(platform, mkdtempSync(join(tmpdir(), 'bonding-fuzz-doc-')));
  mkdirSync(reportsDir, { recursive: true });
}, 600_000);
afterAll(async () => {
  await platform?.close();
});

describe('schemathesis through the edge, with every service document', () => {
  it.each(ROLES)(
    'as %s: no 5xx, and every response is documented',
    async (role) => {
      // A fresh token for each run: access tokens live 15 minutes, and a long run outlasts one.
      const token = await signIn(platform, people[role].email, people[role].password);
      // The coverage phase (boundary and malformed values of every parameter) reaches the validation of
      // every input only past the guards, that is as the admin; FUZZ_COVERAGE=all runs it for everyone.
      const coverage = role === 'admin' || COVERAGE_FOR_EVERY_ROLE ? ['coverage'] : [];
      const result = await runSchemathesis({
        bin: schemathesis,
        schemaFile,
        baseUrl: platform.edge,
        token,
        phases: ['examples', ...coverage, 'fuzzing', 'stateful'],
        maxExamples: EXAMPLES,
        seed: SEED,
        // One worker: hypothesis describes strategies with `ast` from several threads otherwise, which
        // CPython 3.11 can fail on ("AST constructor recursion depth mismatch"), failing a run at random.
        workers: 1,
      });
      writeFileSync(join(reportsDir, `schemathesis-${role}.txt`), result.output);
      expect(result.exitCode, failureReport(result.output)).toBe(0);
      // A run whose token stopped working answered 401 to everything after that point and proved nothing.
      const me = await fetch(`${platform.edge}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status, 'the run ended or lost its own session').toBe(200);
    },
    ROLE_TIMEOUT_MS,
  );
});
