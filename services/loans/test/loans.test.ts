import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoansHarness, fieldsOf, type LoansHarness, newKey } from './harness.js';

let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
});
afterAll(() => h.close());

const application = (productId: string, extra: Record<string, unknown> = {}) => ({
  productId,
  principal: 1_000_000,
  termMonths: 12,
  purpose: 'Tuition, first year',
  academicYear: '2026/2027',
  ...extra,
});

describe('POST /api/v1/loans', () => {
  it('refuses a caller whose e-mail is not verified yet', async () => {
    const product = h.product();
    const unverified = await h.issuer.token({ sub: h.ids.agent, role: 'agent', emailVerified: false });
    const response = await h.call('POST', '/api/v1/loans', {
      token: unverified,
      key: newKey(),
      body: application(product.id, { studentId: h.ids.student }),
    });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('email_not_verified');
  });

  it("lets an agent raise a loan for a student, copying the product's terms, and emits loan.created", async () => {
    const product = h.product({ annualRateBps: 1_500, gracePeriodMonths: 2 });
    const response = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.agent,
      key: newKey(),
      body: application(product.id, { studentId: h.ids.student }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('ETag')).toBe('"v1"');
    expect(response.headers.get('Location')).toBe(`/api/v1/loans/${response.json.id}`);
    expect(response.json).toMatchObject({
      studentId: h.ids.student,
      createdBy: h.ids.agent,
      productId: product.id,
      principal: 1_000_000,
      currency: 'MWK',
      annualRateBps: 1_500,
      gracePeriodMonths: 2,
      status: 'NEW',
      outstanding: null,
    });
    // The caller's own token went to catalog and students.
    expect(h.stub.authorizations.at(-1)).toBe(`Bearer ${h.tokens.agent}`);
    // Later product edits do not change the loan.
    product.annualRateBps = 9_000;
    const read = await h.call('GET', `/api/v1/loans/${response.json.id}`, { token: h.tokens.agent });
    expect(read.json.annualRateBps).toBe(1_500);
    expect(await h.outboxOf(response.json.id)).toEqual([
      {
        type: 'loan.created',
        data: {
          loanId: response.json.id,
          studentId: h.ids.student,
          productId: product.id,
          createdBy: h.ids.agent,
          principal: { amountMinor: '1000000', currency: 'MWK' },
        },
      },
    ]);
  });

  it('lets a student apply for themself, and not for someone else', async () => {
    const product = h.product();
    const own = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.student,
      key: newKey(),
      body: application(product.id),
    });
    expect(own.status).toBe(201);
    expect(own.json.studentId).toBe(h.ids.student);
    const other = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.student,
      key: newKey(),
      body: application(product.id, { studentId: h.ids.otherStudent }),
    });
    expect(other.status).toBe(403);
  });

  it('replays the first answer for the same Idempotency-Key, and never makes a second loan', async () => {
    const key = newKey();
    const body = application(h.product().id, { studentId: h.ids.student });
    const first = await h.call('POST', '/api/v1/loans', { token: h.tokens.agent, key, body });
    const again = await h.call('POST', '/api/v1/loans', { token: h.tokens.agent, key, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json.id).toBe(first.json.id);
    const reused = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.agent,
      key,
      body: { ...body, principal: 2_000_000 },
    });
    expect(reused.status).toBe(409);
    expect(reused.json.code).toBe('idempotency_key_reused');
  });

  it('refuses bad input with the fields named', async () => {
    const productId = h.product().id;
    const cases: [unknown, string[]][] = [
      [application(productId, { studentId: h.ids.student, principal: 10.5 }), ['body.principal']],
      [application(productId, { studentId: h.ids.student, principal: '1000' }), ['body.principal']],
      [application(productId, { studentId: h.ids.student, termMonths: 0 }), ['body.termMonths']],
      [
        application(productId, { studentId: h.ids.student, academicYear: '2026/2028' }),
        ['body.academicYear'],
      ],
      [application(productId, { studentId: h.ids.student, purpose: '' }), ['body.purpose']],
      [application(productId, { studentId: h.ids.student, extra: 1 }), ['body.extra']],
      [application('not-a-uuid', { studentId: h.ids.student }), ['body.productId']],
    ];
    for (const [body, fields] of cases) {
      const response = await h.call('POST', '/api/v1/loans', { token: h.tokens.agent, key: newKey(), body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(response.json), JSON.stringify(body)).toEqual(fields);
    }
    // Who the loan is for depends on the caller's role, a rule the schema cannot state: 422.
    const nobody = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.agent,
      key: newKey(),
      body: application(productId),
    });
    expect(nobody.status).toBe(422);
    expect(nobody.json.code).toBe('student_id_required');
    expect(fieldsOf(nobody.json)).toEqual(['body.studentId']);
    const noKey = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.agent,
      body: application(productId, { studentId: h.ids.student }),
    });
    expect(noKey.status).toBe(400);
    expect(noKey.json.code).toBe('idempotency_key_required');
  });

  it.each([
    ['a product catalog does not know', () => ({ productId: randomUUID() }), 'product_not_found'],
    ['an inactive product', () => ({ productId: h.product({ active: false }).id }), 'product_inactive'],
    ['an archived product', () => ({ productId: h.product({ archived: true }).id }), 'product_inactive'],
    [
      'a principal below the minimum',
      () => ({ productId: h.product().id, principal: 9_999 }),
      'principal_out_of_range',
    ],
    [
      'a principal above the maximum',
      () => ({ productId: h.product().id, principal: 100_000_001 }),
      'principal_out_of_range',
    ],
    ['a term beyond the limits', () => ({ productId: h.product().id, termMonths: 61 }), 'term_out_of_range'],
    [
      'a student students does not know',
      () => ({ productId: h.product().id, studentId: randomUUID() }),
      'student_not_found',
    ],
    [
      'a student whose bonding file is incomplete',
      () => ({ productId: h.product().id, studentId: h.ids.otherStudent }),
      'bonding_file_incomplete',
    ],
  ])('refuses %s with 422 and makes no loan', async (_, overrides, code) => {
    const before = await h.deps.db
      .selectFrom('loans')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const made = overrides();
    const response = await h.call('POST', '/api/v1/loans', {
      token: h.tokens.agent,
      key: newKey(),
      body: application(made.productId, { studentId: h.ids.student, ...made }),
    });
    expect(response.status).toBe(422);
    expect(response.json.code).toBe(code);
    const after = await h.deps.db
      .selectFrom('loans')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(after?.n).toEqual(before?.n);
  });

  it('answers 503 when catalog or students is down, after bounded retries, and makes no loan', async () => {
    const productId = h.product().id;
    h.stub.state.down = true;
    try {
      const requestsBefore = h.stub.state.requests;
      const started = Date.now();
      const response = await h.call('POST', '/api/v1/loans', {
        token: h.tokens.agent,
        key: newKey(),
        body: application(productId, { studentId: h.ids.student }),
      });
      expect(response.status).toBe(503);
      expect(response.json.code).toBe('dependency_unavailable');
      expect(h.stub.state.requests - requestsBefore).toBe(1 + h.config.DEPENDENCY_RETRIES);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      h.stub.state.down = false;
    }
    const loans = await h.deps.db
      .selectFrom('loans')
      .select('id')
      .where('product_id', '=', productId)
      .execute();
    expect(loans).toEqual([]);
  });

  it('needs a token', async () => {
    const response = await h.call('POST', '/api/v1/loans', {
      key: newKey(),
      body: application(h.product().id),
    });
    expect(response.status).toBe(401);
  });
});

describe('GET /api/v1/loans and /loans/{id}', () => {
  it('shows staff every loan, filtered by student and status, newest first, in pages', async () => {
    const studentId = randomUUID();
    h.stub.completeFiles.set(studentId, true);
    const first = await h.raiseLoan({ studentId });
    const second = await h.raiseLoan({ studentId });
    await h.call('POST', `/api/v1/loans/${first.id}/cancel`, { token: h.tokens.agent, body: {} });
    const all = await h.call('GET', `/api/v1/loans?studentId=${studentId}&limit=1`, {
      token: h.tokens.admin,
    });
    expect(all.status).toBe(200);
    expect(all.json.items.map((l: { id: string }) => l.id)).toEqual([second.id]);
    const next = await h.call(
      'GET',
      `/api/v1/loans?studentId=${studentId}&limit=1&cursor=${all.json.nextCursor}`,
      {
        token: h.tokens.agent,
      },
    );
    expect(next.json.items.map((l: { id: string }) => l.id)).toEqual([first.id]);
    expect(next.json.nextCursor).toBeNull();
    const cancelled = await h.call('GET', `/api/v1/loans?studentId=${studentId}&status=CANCELLED`, {
      token: h.tokens.admin,
    });
    expect(cancelled.json.items.map((l: { id: string }) => l.id)).toEqual([first.id]);
  });

  it("shows a student only their own loans, and another's as 404", async () => {
    const loan = await h.raiseLoan();
    const own = await h.call('GET', '/api/v1/loans', { token: h.tokens.student });
    expect(own.json.items.every((l: { studentId: string }) => l.studentId === h.ids.student)).toBe(true);
    expect(own.json.items.some((l: { id: string }) => l.id === loan.id)).toBe(true);
    const others = await h.call('GET', '/api/v1/loans', { token: h.tokens.otherStudent });
    expect(others.json.items).toEqual([]);
    const forbidden = await h.call('GET', `/api/v1/loans?studentId=${h.ids.student}`, {
      token: h.tokens.otherStudent,
    });
    expect(forbidden.status).toBe(403);
    expect((await h.call('GET', `/api/v1/loans/${loan.id}`, { token: h.tokens.student })).status).toBe(200);
    expect((await h.call('GET', `/api/v1/loans/${loan.id}`, { token: h.tokens.otherStudent })).status).toBe(
      404,
    );
    expect((await h.call('GET', `/api/v1/loans/${randomUUID()}`, { token: h.tokens.admin })).status).toBe(
      404,
    );
    expect((await h.call('GET', '/api/v1/loans/not-a-uuid', { token: h.tokens.admin })).status).toBe(400);
    expect((await h.call('GET', `/api/v1/loans/${loan.id}`)).status).toBe(401);
    expect((await h.call('GET', '/api/v1/loans?status=LOST', { token: h.tokens.admin })).status).toBe(400);
  });
});

describe('PATCH /api/v1/loans/{id}', () => {
  it('lets whoever raised it, or its student, change a NEW loan with If-Match', async () => {
    const loan = await h.raiseLoan();
    const byAgent = await h.call('PATCH', `/api/v1/loans/${loan.id}`, {
      token: h.tokens.agent,
      headers: { 'If-Match': '"v1"' },
      body: { principal: 2_000_000, termMonths: 24 },
    });
    expect(byAgent.status).toBe(200);
    expect(byAgent.json).toMatchObject({ principal: 2_000_000, termMonths: 24, version: 2 });
    expect(byAgent.headers.get('ETag')).toBe('"v2"');
    const byStudent = await h.call('PATCH', `/api/v1/loans/${loan.id}`, {
      token: h.tokens.student,
      headers: { 'If-Match': '"v2"' },
      body: { purpose: 'Upkeep' },
    });
    expect(byStudent.json).toMatchObject({ purpose: 'Upkeep', version: 3 });
  });

  it('refuses a stale or missing If-Match, limits beyond the product, outsiders, and loans past NEW', async () => {
    const loan = await h.raiseLoan();
    const patch = (token: string, body: unknown, ifMatch?: string) =>
      h.call('PATCH', `/api/v1/loans/${loan.id}`, {
        token,
        body,
        ...(ifMatch ? { headers: { 'If-Match': ifMatch } } : {}),
      });
    expect((await patch(h.tokens.agent, { purpose: 'x' })).status).toBe(428);
    expect((await patch(h.tokens.agent, { purpose: 'x' }, '"v9"')).status).toBe(412);
    const tooBig = await patch(h.tokens.agent, { principal: 100_000_001 }, '"v1"');
    expect(tooBig.status).toBe(422);
    expect(tooBig.json.code).toBe('principal_out_of_range');
    expect((await patch(h.tokens.agent, {}, '"v1"')).status).toBe(400);
    expect((await patch(h.tokens.agent, { status: 'APPROVED' }, '"v1"')).status).toBe(400);
    expect((await patch(h.tokens.admin, { purpose: 'x' }, '"v1"')).status).toBe(403);
    expect((await patch(h.tokens.otherStudent, { purpose: 'x' }, '"v1"')).status).toBe(404);
    await h.call('POST', `/api/v1/loans/${loan.id}/cancel`, { token: h.tokens.student, body: {} });
    const late = await patch(h.tokens.agent, { purpose: 'x' }, '"v2"');
    expect(late.status).toBe(409);
  });
});

describe('decisions', () => {
  it('lets an admin approve a loan someone else raised, emitting loan.approved, and records the history', async () => {
    const loan = await h.raiseLoan();
    const approved = await h.call('POST', `/api/v1/loans/${loan.id}/approve`, {
      token: h.tokens.admin,
      body: { reason: 'All in order' },
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'APPROVED', decidedBy: h.ids.admin });
    const events = await h.outboxOf(loan.id);
    // Version 2 moves no money; the loan's one tranche (no plan was given) is asked for at once.
    expect(events.map((e) => e.type)).toEqual(['loan.created', 'loan.approved', 'tranche.releaseRequested']);
    expect(events[1]?.data).toEqual({
      loanId: loan.id,
      studentId: h.ids.student,
      approvedBy: h.ids.admin,
      principal: { amountMinor: '1000000', currency: 'MWK' },
      tranches: 1,
    });
    expect(events[2]?.data).toMatchObject({
      loanId: loan.id,
      number: 1,
      institutionId: null,
      tuition: { amountMinor: '0', currency: 'MWK' },
      upkeep: { amountMinor: '1000000', currency: 'MWK' },
    });
    const history = await h.call('GET', `/api/v1/loans/${loan.id}/history`, { token: h.tokens.student });
    expect(history.json.items).toEqual([
      { from: null, to: 'NEW', actorId: h.ids.agent, reason: null, at: expect.any(String) },
      { from: 'NEW', to: 'APPROVED', actorId: h.ids.admin, reason: 'All in order', at: expect.any(String) },
    ]);
    const twice = await h.call('POST', `/api/v1/loans/${loan.id}/approve`, {
      token: h.tokens.admin,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe('invalid_transition');
  });

  it('never lets the admin who raised a loan decide it (four eyes)', async () => {
    const loan = await h.raiseLoan({ token: h.tokens.admin });
    for (const action of ['approve', 'reject']) {
      const response = await h.call('POST', `/api/v1/loans/${loan.id}/${action}`, {
        token: h.tokens.admin,
        body: { reason: 'mine' },
      });
      expect(response.status).toBe(403);
      expect(response.json.code).toBe('four_eyes');
    }
    const other = await h.call('POST', `/api/v1/loans/${loan.id}/reject`, {
      token: h.tokens.secondAdmin,
      body: { reason: 'Incomplete paperwork' },
    });
    expect(other.status).toBe(200);
    expect(other.json.status).toBe('REJECTED');
    const events = await h.outboxOf(loan.id);
    expect(events.at(-1)).toMatchObject({ type: 'loan.rejected', data: { reason: 'Incomplete paperwork' } });
  });

  it('lets only admins decide, needs a reason to reject, and refuses moves the state machine does not allow', async () => {
    const loan = await h.raiseLoan();
    for (const token of [h.tokens.agent, h.tokens.student]) {
      expect((await h.call('POST', `/api/v1/loans/${loan.id}/approve`, { token, body: {} })).status).toBe(
        403,
      );
    }
    expect((await h.call('POST', `/api/v1/loans/${loan.id}/approve`, { body: {} })).status).toBe(401);
    expect(
      (await h.call('POST', `/api/v1/loans/${loan.id}/reject`, { token: h.tokens.admin, body: {} })).status,
    ).toBe(400);
    const retry = await h.call('POST', `/api/v1/loans/${loan.id}/retry-disbursement`, {
      token: h.tokens.admin,
      body: {},
    });
    expect(retry.status).toBe(409);
  });

  it('lets whoever raised it, its student or an admin cancel a NEW loan, and nobody else', async () => {
    const loan = await h.raiseLoan();
    expect(
      (await h.call('POST', `/api/v1/loans/${loan.id}/cancel`, { token: h.tokens.otherStudent, body: {} }))
        .status,
    ).toBe(404);
    const cancelled = await h.call('POST', `/api/v1/loans/${loan.id}/cancel`, {
      token: h.tokens.student,
      body: { reason: 'Found a scholarship' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('CANCELLED');
    expect((await h.outboxOf(loan.id)).at(-1)).toMatchObject({
      type: 'loan.cancelled',
      data: { cancelledBy: h.ids.student },
    });
    const again = await h.call('POST', `/api/v1/loans/${loan.id}/cancel`, {
      token: h.tokens.admin,
      body: {},
    });
    expect(again.status).toBe(409);
  });
});

describe('GET /api/v1/loans/{id}/schedule', () => {
  it('projects the schedule from today before disbursement', async () => {
    const product = h.product({ annualRateBps: 1_200, gracePeriodMonths: 1 });
    const loan = await h.raiseLoan({ productId: product.id, principal: 1_000_000, termMonths: 12 });
    const response = await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: h.tokens.student });
    expect(response.status).toBe(200);
    expect(response.json.projected).toBe(true);
    expect(response.json.instalments).toHaveLength(12);
    expect(response.json.instalments[0]).toMatchObject({ number: 1, total: 88_849, interest: 10_000 });
    const principal = response.json.instalments.reduce(
      (sum: number, i: { principal: number }) => sum + i.principal,
      0,
    );
    expect(principal).toBe(1_000_000);
    expect(
      (await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: h.tokens.otherStudent })).status,
    ).toBe(404);
  });
});

describe('who may call what', () => {
  const loanRoutes = (id: string): [string, string, unknown?][] => [
    ['GET', `/api/v1/loans/${id}`],
    ['PATCH', `/api/v1/loans/${id}`, { purpose: 'x' }],
    ['POST', `/api/v1/loans/${id}/cancel`, {}],
    ['POST', `/api/v1/loans/${id}/approve`, {}],
    ['POST', `/api/v1/loans/${id}/reject`, { reason: 'x' }],
    ['POST', `/api/v1/loans/${id}/retry-disbursement`, {}],
    ['GET', `/api/v1/loans/${id}/schedule`],
    ['GET', `/api/v1/loans/${id}/history`],
    ['GET', `/api/v1/loans/${id}/repayments`],
    ['POST', `/api/v1/loans/${id}/repayments`, { amount: 100 }],
  ];

  it('answers 401 on every route without a token', async () => {
    const loan = await h.raiseLoan();
    for (const [method, path, body] of [
      ...loanRoutes(loan.id),
      ['GET', '/api/v1/loans'] as [string, string],
      ['POST', '/api/v1/loans', {}] as [string, string, unknown],
    ]) {
      const response = await h.call(method, path, { key: newKey(), ...(body === undefined ? {} : { body }) });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it("hides another student's loan on every route (404 or, for admin-only routes, 403), and changes nothing", async () => {
    const loan = await h.raiseLoan();
    for (const [method, path, body] of loanRoutes(loan.id)) {
      const response = await h.call(method, path, {
        token: h.tokens.otherStudent,
        key: newKey(),
        headers: { 'If-Match': '"v1"' },
        ...(body === undefined ? {} : { body }),
      });
      expect([403, 404], `${method} ${path}`).toContain(response.status);
    }
    const after = await h.call('GET', `/api/v1/loans/${loan.id}`, { token: h.tokens.admin });
    expect(after.json).toMatchObject({ status: 'NEW', version: 1 });
  });
});
