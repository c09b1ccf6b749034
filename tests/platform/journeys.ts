import { randomUUID } from 'node:crypto';
import { createDatabase } from '@bonding/kit';
import { ApiProblem, type BondingClient, type components, createBondingClient, ok } from '@bonding/sdk';
import { type CallResult, waitFor } from '@bonding/testing';
import { bankBody, guardianBody, personalBody } from '../../services/students/test/harness.js';
import { PLATFORM_ADMIN, type Platform } from './platform.js';

/**
 * What users do on the platform, step by step through the edge, for tests that follow them. Every step is a
 * typed call of the SDK (`@bonding/sdk`), as a client of the platform would write it, so the platform tests
 * prove the SDK too: its types against the services' answers, its sessions, its Idempotency-Keys.
 */

type Schemas = components['schemas'];

export interface Person {
  id: string;
  email: string;
  password: string;
  /** The access token the person signed in with (`Authorization: Bearer <token>`). */
  token: string;
  /** The person's signed-in SDK client: its session renews the token when it is refused. */
  client: BondingClient;
}

/** The SDK clients of the sessions journeys began, by `<edge> <access token>`. */
const sessions = new Map<string, BondingClient>();

/**
 * The SDK client of a token a journey's sign-in gave out (that session, which renews itself), or a client
 * that sends the token as it is (a token from elsewhere; not renewed).
 */
export function clientOf(platform: Platform, token?: string): BondingClient {
  if (token === undefined) return createBondingClient({ baseUrl: platform.edge });
  const signedIn = sessions.get(`${platform.edge} ${token}`);
  if (signedIn) return signedIn;
  return createBondingClient({
    baseUrl: platform.edge,
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (!request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return fetch(request);
    },
  });
}

/** Names the step (`what`) in the error of a call that failed with a problem. */
async function step<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiProblem) throw new Error(`${what} failed: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Signs in through the SDK; the person's client and its access token. */
async function session(platform: Platform, email: string, password: string) {
  const client = createBondingClient({ baseUrl: platform.edge });
  const answer = await step('sign-in', client.signIn(email, password));
  const token = client.tokens?.accessToken;
  if (!('accessToken' in answer) || token === undefined) {
    throw new Error(`sign-in of ${email} asked for a second factor`);
  }
  sessions.set(`${platform.edge} ${token}`, client);
  return { client, token };
}

/** Signs in; the access token (its session goes on renewing it in the journeys given it). */
export async function signIn(platform: Platform, email: string, password: string): Promise<string> {
  return (await session(platform, email, password)).token;
}

export const signInAdmin = (platform: Platform) =>
  signIn(platform, PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);

/**
 * The data of the newest `type` event identity wrote for `userId`: what a user would read in the mail it
 * causes (codes), since no mail server runs here.
 */
export async function identityEventData<T>(platform: Platform, type: string, userId: string): Promise<T> {
  const identityDb = createDatabase<any>({ url: platform.databaseUrl('identity'), poolSize: 1 });
  try {
    const event = await waitFor(
      () =>
        identityDb.db
          .selectFrom('outbox')
          .select('payload')
          .where('type', '=', type)
          .where('aggregate_key', '=', userId)
          .orderBy('seq', 'desc')
          .executeTakeFirst(),
      { what: `identity's ${type} event` },
    );
    return JSON.parse(event.payload) as T;
  } finally {
    await identityDb.close();
  }
}

/**
 * Proves the e-mail as a user would: the code identity sent goes to POST /auth/verify-email. Loans and
 * money need a verified e-mail.
 */
async function verifyEmail(platform: Platform, userId: string): Promise<void> {
  const { verificationCode } = await identityEventData<{ verificationCode: string }>(
    platform,
    'user.emailVerificationRequested',
    userId,
  );
  await step(
    'verify-email',
    ok(clientOf(platform).api.POST('/api/v1/auth/verify-email', { body: { code: verificationCode } })),
  );
}

/** Registers and verifies the e-mail (agents can sign in only once approved). */
async function registerAccount(
  platform: Platform,
  role: 'student' | 'agent',
): Promise<Omit<Person, 'token' | 'client'>> {
  const tag = randomUUID().slice(0, 8);
  const email = `${role}.${tag}@example.test`;
  const password = 'a long passphrase';
  const user = await step(
    'register',
    ok(
      clientOf(platform).api.POST('/api/v1/auth/register', {
        body: {
          email,
          password,
          firstName: 'Chisomo',
          lastName: `Banda${tag}`,
          role,
          ...(role === 'student' ? { regNumber: `BT/2026/${tag}` } : {}),
        },
      }),
    ),
  );
  await verifyEmail(platform, user.id);
  return { id: user.id, email, password };
}

/** A student registered with a verified e-mail, signed in. */
export async function registerStudent(platform: Platform): Promise<Person> {
  const student = await registerAccount(platform, 'student');
  return { ...student, ...(await session(platform, student.email, student.password)) };
}

/** A registered student whose bonding file (personal, guardian, bank) is complete, signed in. */
export async function completeStudent(platform: Platform): Promise<Person> {
  const student = await registerStudent(platform);
  const { api } = student.client;
  // The students service learns of the student from identity's event; wait until it has.
  await waitFor(
    async () =>
      (
        await api.PUT('/api/v1/students/me/personal', {
          body: personalBody() as Schemas['PersonalDetailsInput'],
        })
      ).response.status === 200,
    { timeoutMs: 20_000, what: 'the personal details to be filed' },
  );
  await step(
    'filing a guardian',
    ok(api.POST('/api/v1/students/me/guardians', { body: guardianBody() as Schemas['GuardianInput'] })),
  );
  await step(
    'filing a bank account',
    ok(api.POST('/api/v1/students/me/bank-accounts', { body: bankBody() as Schemas['BankAccountInput'] })),
  );
  return student;
}

/** An agent (loan officer) registered and approved by the admin, signed in. */
export async function approvedAgent(platform: Platform, adminToken: string): Promise<Person> {
  const agent = await registerAccount(platform, 'agent');
  await step(
    'approving the agent',
    ok(
      clientOf(platform, adminToken).api.POST('/api/v1/users/{id}/approve', {
        params: { path: { id: agent.id } },
        body: {},
      }),
    ),
  );
  return { ...agent, ...(await session(platform, agent.email, agent.password)) };
}

/** Who and what raising a loan needs: the admin signed in, an approved agent and a zero-interest product. */
export async function lendingDesk(
  platform: Platform,
): Promise<{ adminToken: string; agent: Person; productId: string }> {
  const adminToken = await signInAdmin(platform);
  const agent = await approvedAgent(platform, adminToken);
  return { adminToken, agent, productId: await createProduct(platform, adminToken) };
}

/** A zero-interest tuition product with a fresh code (`<prefix>-XXXXXXXX`), so repayments are easy to reason about. */
export function productBody(prefix = 'P') {
  return {
    code: `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`,
    name: 'Tuition',
    category: 'tuition',
    minPrincipal: 10_000,
    maxPrincipal: 100_000_000,
    annualRateBps: 0,
    minTermMonths: 1,
    maxTermMonths: 24,
  } satisfies Schemas['ProductFields'];
}

/** Creates a productBody() product as the admin; returns its id. */
export async function createProduct(platform: Platform, adminToken: string): Promise<string> {
  const product = await step(
    'creating a product',
    ok(clientOf(platform, adminToken).api.POST('/api/v1/products', { body: productBody() })),
  );
  return product.id;
}

/** What openapi-fetch answers, as the loosely typed CallResult tests read (status, headers, json, text). */
async function callResult(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<CallResult> {
  const { data, error, response } = await call;
  const answer = data ?? error;
  return {
    status: response.status,
    headers: response.headers,
    json: typeof answer === 'string' ? undefined : answer,
    text: answer === undefined ? '' : typeof answer === 'string' ? answer : JSON.stringify(answer),
  };
}

/**
 * An agent raises a loan for a student: the SDK keys it (or sends `idempotencyKey`), and retries it on a 503
 * with Retry-After. The answer as it came, for the test to judge.
 */
export async function raiseLoan(
  platform: Platform,
  agentToken: string,
  loan: { productId: string; studentId: string; principal?: number; idempotencyKey?: string },
  headers: Record<string, string> = {},
): Promise<CallResult> {
  return callResult(
    clientOf(platform, agentToken).api.POST('/api/v1/loans', {
      params: {
        header: loan.idempotencyKey === undefined ? {} : { 'idempotency-key': loan.idempotencyKey },
      },
      headers,
      body: {
        productId: loan.productId,
        principal: loan.principal ?? 1_500_000,
        termMonths: 6,
        purpose: 'Tuition',
        academicYear: '2026/2027',
        studentId: loan.studentId,
      },
    }),
  );
}

export const waitForLoanStatus = (platform: Platform, id: string, token: string, status: string) =>
  waitFor(
    async () => {
      const { data } = await clientOf(platform, token).api.GET('/api/v1/loans/{id}', {
        params: { path: { id } },
      });
      return data?.status === status ? data : undefined;
    },
    { timeoutMs: 30_000, what: `the loan to be ${status}` },
  );

export async function walletBalance(platform: Platform, token: string): Promise<number | undefined> {
  const { data } = await clientOf(platform, token).api.GET('/api/v1/accounts');
  return data?.items?.[0]?.balance;
}

/** The code loans sent notifications for a guarantor: read from loans' outbox, as no mail server runs here. */
export async function consentCodeOf(
  platform: Platform,
  loanId: string,
  guarantorId: string,
): Promise<string> {
  const loansDb = createDatabase<any>({ url: platform.databaseUrl('loans'), poolSize: 1 });
  try {
    const rows = await loansDb.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'loan.guarantorRequested')
      .where('aggregate_key', '=', loanId)
      .execute();
    const data = rows.map((row: { payload: string }) => JSON.parse(row.payload));
    return data.find((event: { guarantorId: string }) => event.guarantorId === guarantorId).consentCode;
  } finally {
    await loansDb.close();
  }
}
