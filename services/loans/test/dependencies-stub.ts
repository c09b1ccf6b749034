import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubProduct {
  id: string;
  /** Which tranche legs it pays (default student: both). */
  category?: string;
  currency: string;
  minPrincipal: number;
  maxPrincipal: number;
  annualRateBps: number;
  minTermMonths: number;
  maxTermMonths: number;
  gracePeriodMonths: number;
  /** Study terms (catalog omits neither; null: none). */
  interestDuringStudy?: 'subsidised' | 'capitalised' | null;
  graceMonthsAfterStudy?: number | null;
  trancheExpiryDays?: number | null;
  guarantorsRequired?: number;
  active: boolean;
  archived: boolean;
}

/** A guardian as the bonding file shows it (what loans reads of it). */
export interface StubGuardian {
  id: string;
  firstName: string;
  surname: string;
  email: string | null;
  homeVillage: string;
}

/**
 * Stands in for catalog and students over real HTTP: products and bonding-file
 * completeness a test sets, the Authorization headers it was sent, and a
 * switch that makes it answer 503 (a dependency that is down).
 */
export async function startDependencyStub() {
  const products = new Map<string, StubProduct>();
  const completeFiles = new Map<string, boolean>();
  /** Each student's guardians on their bonding file (none unless a test sets them). */
  const guardians = new Map<string, StubGuardian[]>();
  const institutions = new Map<string, { id: string; name: string; archived: boolean }>();
  const authorizations: string[] = [];
  const state = { down: false, requests: 0 };

  const server: Server = createServer((request, response) => {
    state.requests++;
    authorizations.push(request.headers.authorization ?? '');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (state.down) return send(503, { code: 'service_unavailable' });
    const product = /^\/api\/v1\/products\/([\w-]+)$/.exec(request.url ?? '');
    if (product?.[1]) {
      const found = products.get(product[1]);
      return found
        ? send(200, { category: 'student', ...found, name: 'Stub', code: 'STUB' })
        : send(404, { code: 'product_not_found' });
    }
    const institution = /^\/api\/v1\/institutions\/([\w-]+)$/.exec(request.url ?? '');
    if (institution?.[1]) {
      const found = institutions.get(institution[1]);
      return found ? send(200, found) : send(404, { code: 'institution_not_found' });
    }
    const student = /^\/api\/v1\/students\/([\w-]+)$/.exec(request.url ?? '');
    if (student?.[1]) {
      const complete = completeFiles.get(student[1]);
      return complete === undefined
        ? send(404, { code: 'student_not_found' })
        : send(200, {
            studentId: student[1],
            student: { firstName: 'Amina', lastName: 'Phiri' },
            personal: null,
            guardians: guardians.get(student[1]) ?? [],
            completeness: { complete },
          });
    }
    return send(404, { code: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    products,
    institutions,
    completeFiles,
    guardians,
    authorizations,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
