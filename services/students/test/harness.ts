import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger, parseConfig, runMigrations } from '@bonding/kit';
import { createApiClient, createTestDatabase, createTestIssuer } from '@bonding/testing';
import { createStudentsApp } from '../src/app.js';
import { buildStudentsDeps } from '../src/build-deps.js';
import { studentsConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';

export type StudentsHarness = Awaited<ReturnType<typeof createStudentsHarness>>;

export async function createStudentsHarness() {
  const database = await createTestDatabase('students');
  const issuer = await createTestIssuer();
  const config = parseConfig(studentsConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: database.url,
    FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  });
  const built = buildStudentsDeps(config, {
    keys: issuer.keys,
    logger: createLogger({ service: 'students', level: 'silent' }),
  });
  await runMigrations(built.deps.db, database.name, migrations);
  const { app } = createStudentsApp(built.deps);

  const call = createApiClient((path, init) => app.request(path, init));

  /** A new student identity with a token; the directory learns of them as identity's events would tell it. */
  async function newStudent(names = { firstName: 'Chisomo', lastName: 'Banda' }) {
    const id = randomUUID();
    await built.deps.db
      .insertInto('student_directory')
      .values({
        user_id: id,
        first_name: names.firstName,
        last_name: names.lastName,
        reg_number: `REG/${id.slice(0, 8)}`,
        updated_at: new Date(),
      })
      .execute();
    return { id, token: await issuer.token({ sub: id, role: 'student' }) };
  }

  return {
    app,
    deps: built.deps,
    config,
    call,
    newStudent,
    staffToken: (role: 'agent' | 'admin', sub = randomUUID()) => issuer.token({ sub, role }),
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

let counter = 0;
/** A valid, unique-per-call set of personal details. */
export function personalBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    firstName: 'Chisomo',
    surname: 'Banda',
    dateOfBirth: '2004-03-17',
    gender: 'female',
    nationalId: `${randomBytes(3).toString('hex').toUpperCase()}${String(counter % 100).padStart(2, '0')}`,
    phone: '+265991234567',
    homeVillage: 'Chingale',
    traditionalAuthority: 'Kuntaja',
    district: 'Zomba',
    postalAddress: 'P.O. Box 280, Zomba',
    institution: 'University of Malawi',
    programme: 'BSc Computer Science',
    yearOfStudy: 2,
    ...overrides,
  };
}

export function guardianBody(overrides: Record<string, unknown> = {}) {
  return {
    firstName: 'Grace',
    surname: 'Banda',
    relation: 'mother',
    phone: '+265888765432',
    occupation: 'Teacher',
    homeVillage: 'Chingale',
    ...overrides,
  };
}

export function bankBody(overrides: Record<string, unknown> = {}) {
  return {
    bankName: 'National Bank of Malawi',
    branch: 'Zomba',
    accountName: 'Chisomo Banda',
    accountNumber: String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)),
    ...overrides,
  };
}
