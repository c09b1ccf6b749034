import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeStudent, createProduct, signInAdmin } from '../../../tests/platform/journeys.js';
import { type Platform, startPlatform } from '../../../tests/platform/platform.js';
import { ApiProblem, createBondingClient, type Notification } from '../src/index.js';

/** The notifications stream through the SDK's iterator, from the real notifications service via the edge. */
let platform: Platform;
let student: { email: string; password: string };
let productId: string;
beforeAll(async () => {
  platform = await startPlatform({
    name: 'sdkstream',
    services: ['identity', 'students', 'catalog', 'loans', 'notifications'],
  });
  student = await completeStudent(platform);
  productId = await createProduct(platform, await signInAdmin(platform));
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

/** The iterator's next notification, or a failure naming what did not come. */
async function next(stream: AsyncGenerator<Notification>, what: string): Promise<Notification> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 20 s`)), 20_000);
  });
  try {
    const result = await Promise.race([stream.next(), timeout]);
    if (result.done) throw new Error(`the stream ended before ${what}`);
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

describe('the notifications stream as an async iterator', () => {
  it('yields what came before lastEventId, then what happens while it is open', async () => {
    const client = createBondingClient({ baseUrl: platform.edge });
    await client.signIn(student.email, student.password);
    const stream = client.notifications({ lastEventId: '0' });
    try {
      const welcome = await next(stream, 'welcome notification');
      expect(welcome).toMatchObject({ kind: 'welcome', sequence: 1 });

      const applied = await client.api.POST('/api/v1/loans', {
        body: {
          productId,
          principal: 1_500_000,
          termMonths: 6,
          purpose: 'Tuition',
          academicYear: '2026/2027',
        },
      });
      expect(applied.response.status).toBe(201);
      const created = await next(stream, 'loan_created notification');
      expect(created.kind).toBe('loan_created');
      expect(created.sequence).toBeGreaterThan(welcome.sequence);
    } finally {
      await stream.return(undefined);
    }
  }, 60_000);

  it('ends with the session: the stream closes and reopening it is refused', async () => {
    const client = createBondingClient({ baseUrl: platform.edge });
    await client.signIn(student.email, student.password);
    const stream = client.notifications({ lastEventId: '0' });
    await next(stream, 'first notification');

    await client.signOut();
    const ended = await (async () => {
      for (;;) await next(stream, 'the end of the stream');
    })().catch((error) => error);
    expect(ended).toBeInstanceOf(ApiProblem);
    expect(ended.status).toBe(401);
  }, 60_000);
});
