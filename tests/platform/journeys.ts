import { randomUUID } from 'node:crypto';
import { createDatabase } from '@bonding/kit';
import { waitFor } from '@bonding/testing';
import { bankBody, guardianBody, personalBody } from '../../services/students/test/harness.js';
import { PLATFORM_ADMIN, type Platform } from './platform.js';

/** What users do on the platform, step by step through the edge, for tests that follow them. */

export interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function signIn(platform: Platform, email: string, password: string): Promise<string> {
  const response = await platform.api('POST', '/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${response.text}`);
  return response.json.accessToken;
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
  const verified = await platform.api('POST', '/auth/verify-email', { body: { code: verificationCode } });
  if (verified.status !== 204) throw new Error(`verify-email failed: ${verified.status} ${verified.text}`);
}

/** Registers and verifies the e-mail (agents can sign in only once approved). */
async function registerAccount(
  platform: Platform,
  role: 'student' | 'agent',
): Promise<Omit<Person, 'token'>> {
  const tag = randomUUID().slice(0, 8);
  const email = `${role}.${tag}@example.test`;
  const password = 'a long passphrase';
  const response = await platform.api('POST', '/auth/register', {
    body: {
      email,
      password,
      firstName: 'Chisomo',
      lastName: `Banda${tag}`,
      role,
      ...(role === 'student' ? { regNumber: `BT/2026/${tag}` } : {}),
    },
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  const id = (response.json.user?.id ?? response.json.id) as string;
  await verifyEmail(platform, id);
  return { id, email, password };
}

/** A student registered with a verified e-mail, signed in. */
export async function registerStudent(platform: Platform): Promise<Person> {
  const student = await registerAccount(platform, 'student');
  return { ...student, token: await signIn(platform, student.email, student.password) };
}

/** A registered student whose bonding file (personal, guardian, bank) is complete, signed in. */
export async function completeStudent(platform: Platform): Promise<Person> {
  const student = await registerStudent(platform);
  const token = student.token;
  // The students service learns of the student from identity's event; wait until it has.
  await waitFor(
    async () =>
      (await platform.api('PUT', '/students/me/personal', { token, body: personalBody() })).status === 200,
    { timeoutMs: 20_000, what: 'the personal details to be filed' },
  );
  for (const [path, body] of [
    ['/students/me/guardians', guardianBody()],
    ['/students/me/bank-accounts', bankBody()],
  ] as const) {
    const filed = await platform.api('POST', path, { token, body });
    if (filed.status !== 201) throw new Error(`${path} failed: ${filed.status} ${filed.text}`);
  }
  return student;
}

/** An agent (loan officer) registered and approved by the admin, signed in. */
export async function approvedAgent(platform: Platform, adminToken: string): Promise<Person> {
  const agent = await registerAccount(platform, 'agent');
  const approved = await platform.api('POST', `/users/${agent.id}/approve`, { token: adminToken, body: {} });
  if (approved.status !== 200) throw new Error(`approve agent failed: ${approved.status} ${approved.text}`);
  return { ...agent, token: await signIn(platform, agent.email, agent.password) };
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
  };
}

/** Creates a productBody() product as the admin; returns its id. */
export async function createProduct(platform: Platform, adminToken: string): Promise<string> {
  const product = await platform.api('POST', '/products', { token: adminToken, body: productBody() });
  if (product.status !== 201) throw new Error(`create product failed: ${product.status} ${product.text}`);
  return product.json.id;
}

/** An agent raises a loan for a student; returns the loan id. */
export async function raiseLoan(
  platform: Platform,
  agentToken: string,
  loan: { productId: string; studentId: string; principal?: number; idempotencyKey?: string },
  headers: Record<string, string> = {},
) {
  return platform.api('POST', '/loans', {
    token: agentToken,
    key: loan.idempotencyKey ?? randomUUID(),
    headers,
    body: {
      productId: loan.productId,
      principal: loan.principal ?? 1_500_000,
      termMonths: 6,
      purpose: 'Tuition',
      academicYear: '2026/2027',
      studentId: loan.studentId,
    },
  });
}

export const waitForLoanStatus = (platform: Platform, id: string, token: string, status: string) =>
  waitFor(
    async () => {
      const loan = await platform.api('GET', `/loans/${id}`, { token });
      return loan.json?.status === status ? loan.json : undefined;
    },
    { timeoutMs: 30_000, what: `the loan to be ${status}` },
  );

export async function walletBalance(platform: Platform, token: string): Promise<number | undefined> {
  const accounts = await platform.api('GET', '/accounts', { token });
  return accounts.json?.items?.[0]?.balance;
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
