// The burst of issue #25: many sessions signed in, then all signed out at once, so that identity emits a
// session.ended for each and every service's token denylist holds them all. The bench measures token
// checks before and after it, to show that the denylist's size does not slow them.
import { call, expectStatus } from './http.js';
import { benchUrl } from './stack.js';

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Signs in `count` sessions round-robin over `credentials`, then signs every one out. Sign-in is argon2id
 * (about 15 ms of hashing each on the libuv pool), so a few at a time; the sign-outs go 20 at a time.
 */
export async function signOutBurst(
  credentials: { email: string; password: string }[],
  count: number,
): Promise<{ signInSeconds: number; signOutSeconds: number }> {
  const identity = benchUrl('identity');
  const started = Date.now();
  const tokens: string[] = [];
  await inParallel(
    Array.from(
      { length: count },
      (_, i) => credentials[i % credentials.length] as (typeof credentials)[number],
    ),
    4,
    async (who) => {
      const answer = expectStatus(
        await call('POST', `${identity}/api/v1/auth/login`, { body: who }),
        [200],
        `sign-in of ${who.email}`,
      );
      tokens.push((answer.body as { accessToken: string }).accessToken);
    },
  );
  const signedIn = Date.now();
  await inParallel(tokens, 20, async (token) => {
    expectStatus(await call('POST', `${identity}/api/v1/auth/logout`, { token }), [204], 'sign-out');
  });
  return { signInSeconds: (signedIn - started) / 1000, signOutSeconds: (Date.now() - signedIn) / 1000 };
}
