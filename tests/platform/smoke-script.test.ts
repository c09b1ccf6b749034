import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Platform, startPlatform } from './platform.js';
import { runSmokeScript } from './smoke-script.js';

/**
 * k8s/smoke.sh is what the e2e workflow runs against the kind cluster; it runs here against the local
 * platform with kong.yml's own rate limits, so the script itself is proven before a cluster ever sees it.
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ name: 'smoke', rateLimits: {} });
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

it('passes k8s/smoke.sh: sign-up, a protected call, the loan story to REPAID and the sign-in limit', async () => {
  const { exit, output } = await runSmokeScript(platform);
  expect(exit.code, output).toBe(0);
  expect(output).toContain('REPAID');
  expect(output).toContain('ok 429 past the sign-in limit');
}, 150_000);
