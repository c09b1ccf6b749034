import { expect } from 'vitest';
import { base32Decode, TOTP_STEP_SECONDS, totp } from '../src/domain/totp.js';
import type { IdentityHarness } from './harness.js';

/** The code the authenticator shows now (on the harness clock). */
export function codeNow(h: IdentityHarness, secret: Buffer): string {
  return totp(secret, h.deps.now());
}

/** Moves the clock to the next time step and answers that step's code: each step's code works once. */
export function nextCode(h: IdentityHarness, secret: Buffer): string {
  h.clock.offsetMs += TOTP_STEP_SECONDS * 1000;
  return codeNow(h, secret);
}

/** Turns two-factor sign-in on for the bearer of `token`: the app's secret and the recovery codes. */
export async function enrolAuthenticator(h: IdentityHarness, token: string) {
  const started = await h.call('POST', '/api/v1/auth/mfa/totp', { token });
  expect(started.status).toBe(200);
  const secret = base32Decode(started.json.secret);
  const confirmed = await h.call('POST', '/api/v1/auth/mfa/totp/confirm', {
    token,
    body: { code: codeNow(h, secret) },
  });
  expect(confirmed.status).toBe(200);
  return { secret, recoveryCodes: confirmed.json.recoveryCodes as string[] };
}
