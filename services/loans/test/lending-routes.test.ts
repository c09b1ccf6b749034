import { createApiClient } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoansApp } from '../src/app.js';
import { dateText } from '../src/lending/business-date.js';
import { insertDailyLoan } from './daily-loan.js';
import { createLoansHarness, type LoansHarness } from './harness.js';

/**
 * The business date and close-of-business routes: who may call them, moving the date forward (closing
 * each date passed), and what is refused.
 */
let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const move = (businessDate: string, token = h.tokens.admin) =>
  h.call('POST', '/api/v1/lending/business-date', { token, body: { businessDate } });

describe('who may call the lending routes', () => {
  it('lets staff read, only admins move the date; students and anonymous callers are refused', async () => {
    for (const path of ['/api/v1/lending/business-date', '/api/v1/lending/cob-runs']) {
      expect((await h.call('GET', path)).status, path).toBe(401);
      expect((await h.call('GET', path, { token: h.tokens.student })).status, path).toBe(403);
      expect((await h.call('GET', path, { token: h.tokens.agent })).status, path).toBe(200);
      expect((await h.call('GET', path, { token: h.tokens.admin })).status, path).toBe(200);
    }
    const today = (await h.call('GET', '/api/v1/lending/business-date', { token: h.tokens.admin })).json;
    expect((await move(today.businessDate, h.tokens.student)).status).toBe(403);
    expect((await move(today.businessDate, h.tokens.agent)).status).toBe(403);
    expect(
      (await h.call('POST', '/api/v1/lending/business-date', { body: { businessDate: '2030-01-01' } }))
        .status,
    ).toBe(401);
  });
});

describe('the business date', () => {
  it("starts at today's calendar date in the business time zone, and is settable outside production", async () => {
    const today = await h.call('GET', '/api/v1/lending/business-date', { token: h.tokens.agent });
    expect(today.json).toEqual({
      businessDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      timeZone: 'Africa/Blantyre',
      settable: true,
    });
  });

  it('moves forward, closing business for each date it passes, and a daily-interest loan accrues', async () => {
    const { businessDate: from } = (
      await h.call('GET', '/api/v1/lending/business-date', { token: h.tokens.admin })
    ).json as { businessDate: string };
    const loan = await insertDailyLoan(h.deps.db, {
      disbursed_on: from,
      study_end_date: '2099-06-30',
    });
    const to = new Date(Date.parse(`${from}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    const moved = await move(to);
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.businessDate).toBe(to);
    expect(moved.json.closed).toHaveLength(3);
    expect(moved.json.closed[0]).toMatchObject({ businessDate: from, loansProcessed: 1, failures: 0 });
    // Three days on 10,000.00 at 4 %: 109 + 110 + 109 = 328 (1,200,000,000 = 328 × 3,650,000 + 2,800,000).
    const row = await h.deps.db
      .selectFrom('loans')
      .select(['accrued_interest', 'interest_carry'])
      .select(dateText('accrued_through').as('through'))
      .where('id', '=', loan)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      accrued_interest: '328',
      interest_carry: '2800000',
      through: moved.json.closed[2].businessDate,
    });

    const runs = await h.call('GET', '/api/v1/lending/cob-runs?limit=3', { token: h.tokens.agent });
    expect(runs.status).toBe(200);
    expect(runs.json.items.map((run: { businessDate: string }) => run.businessDate)).toEqual(
      moved.json.closed.map((run: { businessDate: string }) => run.businessDate).reverse(),
    );
    expect(runs.json.items[0]).toMatchObject({
      loansProcessed: 1,
      failures: 0,
      finishedAt: expect.any(String),
    });

    // The same date again is a no-op.
    const again = await move(to);
    expect(again.json).toEqual({ businessDate: to, closed: [] });
  });

  it('refuses a date in the past, not a date, and a jump of more than ten years', async () => {
    const backwards = await move('2001-01-01');
    expect(backwards.status).toBe(409);
    expect(backwards.json.code).toBe('business_date_backwards');
    const notADate = await move('2031-02-30');
    expect(notADate.status).toBe(400);
    expect(JSON.stringify(notADate.json)).toContain('businessDate');
    const tooFar = await move('2999-01-01');
    expect(tooFar.status).toBe(409);
    expect(tooFar.json.code).toBe('business_date_too_far');
  });

  it('is refused where it follows the calendar (production by default)', async () => {
    const production = createLoansApp({
      ...h.deps,
      config: { ...h.deps.config, BUSINESS_DATE_SETTABLE: false },
    });
    const call = createApiClient((path, init) => production.app.request(path, init));
    const refused = await call('POST', '/api/v1/lending/business-date', {
      token: h.tokens.admin,
      body: { businessDate: '2999-01-01' },
    });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('business_date_not_settable');
    const read = await call('GET', '/api/v1/lending/business-date', { token: h.tokens.admin });
    expect(read.json.settable).toBe(false);
  });
});
