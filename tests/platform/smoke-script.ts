import { join } from 'node:path';
import { runCaptured } from '../../scripts/lib/processes.js';
import { repoRoot } from '../../services/gateway/test/edge.js';
import { PLATFORM_ADMIN, type Platform } from './platform.js';

/**
 * Runs k8s/smoke.sh (what the e2e workflow runs against the kind cluster) against a local platform's edge:
 * the admin's password from the harness, the e-mail codes from identity's database through print-rows.
 */
export function runSmokeScript(platform: Platform) {
  const printRows = join(repoRoot, 'tests', 'platform', 'print-rows.mjs');
  return runCaptured('bash', [join(repoRoot, 'k8s', 'smoke.sh'), platform.edge], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SMOKE_ADMIN_EMAIL: PLATFORM_ADMIN.email,
      SMOKE_ADMIN_PASSWORD: PLATFORM_ADMIN.password,
      SMOKE_SQL: `'${process.execPath}' '${printRows}' '${platform.databaseUrl('identity')}'`,
    },
  });
}
