// The student whose guardians the write scenario races on (issue #26), with a token signed in just
// before: the seeded tokens may be near the end of their 15 minutes by then.
import { call, expectStatus } from './http.js';
import { benchUrl } from './stack.js';

export const guardiansPath = '/api/v1/students/me/guardians';

/** What each add sends (the scenario sets `primary`). */
export const GUARDIAN_ENTRY = {
  firstName: 'Bench',
  surname: 'Guardian',
  relation: 'guardian',
  phone: '+265888765432',
  occupation: 'Teacher',
  homeVillage: 'Chingale',
};

export async function signInWriter(credentials: { email: string; password: string }): Promise<string> {
  const answer = expectStatus(
    await call('POST', `${benchUrl('identity')}/api/v1/auth/login`, { body: credentials }),
    [200],
    `sign-in of ${credentials.email}`,
  );
  return (answer.body as { accessToken: string }).accessToken;
}
