import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BANK_ACCOUNTS, MAX_GUARDIANS } from '../src/domain/file-limits.js';
import {
  bankBody,
  createStudentsHarness,
  guardianBody,
  personalBody,
  type StudentsHarness,
} from './harness.js';

// Found under load (#26): 50 writers to one student's list deadlocked on the list's own rows and answered
// 500. Every write now queues on the student's file row; these prove no write answers 5xx however many
// run at once, and that each list still ends with exactly one primary.

let h: StudentsHarness;
beforeAll(async () => {
  h = await createStudentsHarness();
});
afterAll(() => h.close());

const WRITERS = 50;
const GUARDIANS = '/api/v1/students/me/guardians';
const BANK_ACCOUNTS = '/api/v1/students/me/bank-accounts';

type Student = Awaited<ReturnType<StudentsHarness['newStudent']>>;
type Entry = { id: string; primary: boolean; version: number };

/** How many answers had each status. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

async function list(student: Student, path: string): Promise<Entry[]> {
  const response = await h.call('GET', path, { token: student.token });
  expect(response.status).toBe(200);
  return response.json.items;
}

async function expectOnePrimary(student: Student, path: string): Promise<Entry[]> {
  const items = await list(student, path);
  if (items.length > 0) expect(items.filter((entry) => entry.primary)).toHaveLength(1);
  return items;
}

/** Adds `count` entries one by one (not a race: the set-up for one). */
async function fill(student: Student, path: string, body: () => object, count: number): Promise<Entry[]> {
  for (let i = 0; i < count; i++) {
    const response = await h.call('POST', path, { token: student.token, body: body() });
    expect(response.status, response.text).toBe(201);
  }
  return list(student, path);
}

describe('concurrent writes to one student’s file', () => {
  it(`lets ${MAX_GUARDIANS} of ${WRITERS} racing guardian adds in, refuses the rest with 409, one primary`, async () => {
    const s = await h.newStudent();
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, n) =>
        h.call('POST', GUARDIANS, {
          token: s.token,
          body: guardianBody({ firstName: `Guardian${n}`, primary: n % 3 === 0 }),
        }),
      ),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 201: MAX_GUARDIANS, 409: WRITERS - MAX_GUARDIANS });
    const refused = answers.find((a) => a.status === 409);
    expect(refused?.json).toMatchObject({ code: 'guardian_limit_reached' });
    expect(await expectOnePrimary(s, GUARDIANS)).toHaveLength(MAX_GUARDIANS);
  });

  it(`does the same for bank accounts: ${MAX_BANK_ACCOUNTS} in, the rest 409`, async () => {
    const s = await h.newStudent();
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, n) =>
        h.call('POST', BANK_ACCOUNTS, { token: s.token, body: bankBody({ primary: n % 2 === 0 }) }),
      ),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({
      201: MAX_BANK_ACCOUNTS,
      409: WRITERS - MAX_BANK_ACCOUNTS,
    });
    expect(answers.find((a) => a.status === 409)?.json).toMatchObject({ code: 'bank_account_limit_reached' });
    expect(await expectOnePrimary(s, BANK_ACCOUNTS)).toHaveLength(MAX_BANK_ACCOUNTS);
  });

  it('survives adds, primary switches and removals racing on both lists at once', async () => {
    const s = await h.newStudent();
    const guardians = await fill(s, GUARDIANS, () => guardianBody(), 4);
    const accounts = await fill(s, BANK_ACCOUNTS, () => bankBody(), 2);
    const writes = Array.from({ length: WRITERS }, (_, n) => {
      const guardian = guardians[n % guardians.length] as Entry;
      const account = accounts[n % accounts.length] as Entry;
      switch (n % 6) {
        case 0:
          return h.call('POST', GUARDIANS, { token: s.token, body: guardianBody({ primary: true }) });
        case 1:
          return h.call('PUT', `${GUARDIANS}/${guardian.id}`, {
            token: s.token,
            body: guardianBody({ primary: true }),
            headers: { 'If-Match': `"v${guardian.version}"` },
          });
        case 2:
          return h.call('DELETE', `${GUARDIANS}/${guardian.id}`, { token: s.token });
        case 3:
          return h.call('POST', BANK_ACCOUNTS, { token: s.token, body: bankBody({ primary: true }) });
        case 4:
          return h.call('PUT', `${BANK_ACCOUNTS}/${account.id}`, {
            token: s.token,
            body: bankBody({ primary: true }),
            headers: { 'If-Match': `"v${account.version}"` },
          });
        default:
          return h.call('DELETE', `${BANK_ACCOUNTS}/${account.id}`, { token: s.token });
      }
    });
    const statuses = (await Promise.all(writes)).map((a) => a.status);
    // 404: removed by a racing DELETE first; 409: a list full; 412: replaced or removed since it was read.
    for (const status of statuses) expect([200, 201, 204, 404, 409, 412]).toContain(status);
    expect((await expectOnePrimary(s, GUARDIANS)).length).toBeLessThanOrEqual(MAX_GUARDIANS);
    expect((await expectOnePrimary(s, BANK_ACCOUNTS)).length).toBeLessThanOrEqual(MAX_BANK_ACCOUNTS);
  });

  it('switches the primary from 50 writers at once and ends with exactly one', async () => {
    const s = await h.newStudent();
    const guardians = await fill(s, GUARDIANS, () => guardianBody(), MAX_GUARDIANS);
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, n) => {
        const guardian = guardians[n % guardians.length] as Entry;
        return h.call('PUT', `${GUARDIANS}/${guardian.id}`, {
          token: s.token,
          body: guardianBody({ occupation: `Writer ${n}`, primary: true }),
          headers: { 'If-Match': `"v${guardian.version}"` },
        });
      }),
    );
    // One replace per guardian wins its version; the others are stale.
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: MAX_GUARDIANS, 412: WRITERS - MAX_GUARDIANS });
    await expectOnePrimary(s, GUARDIANS);
  });

  it('keeps students apart: writers of many students at once neither wait on nor deadlock with each other', async () => {
    const students = await Promise.all(Array.from({ length: 10 }, () => h.newStudent()));
    const answers = await Promise.all(
      students.flatMap((student) =>
        Array.from({ length: 5 }, (_, n) =>
          h.call('POST', n % 2 ? BANK_ACCOUNTS : GUARDIANS, {
            token: student.token,
            body: n % 2 ? bankBody() : guardianBody({ primary: n === 4 }),
          }),
        ),
      ),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 201: students.length * 5 });
    for (const student of students) {
      expect(await expectOnePrimary(student, GUARDIANS)).toHaveLength(3);
      expect(await expectOnePrimary(student, BANK_ACCOUNTS)).toHaveLength(2);
    }
  });

  it('files personal details once when the same student sends them 50 times at once', async () => {
    const s = await h.newStudent();
    const body = personalBody();
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, () =>
        h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    // The first creates them; a racing create is a 409, a later one needs If-Match (428).
    for (const status of statuses) expect([200, 409, 428]).toContain(status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  });
});
