import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, type LedgerHarness } from './harness.js';
import { askedAgain, releaseRequested, releaseTools } from './tranches.js';

let h: LedgerHarness;
let t: ReturnType<typeof releaseTools>;
beforeAll(async () => {
  h = await createLedgerHarness();
  t = releaseTools(h);
});
afterAll(() => h.close());

async function freeze(accountId: string) {
  const response = await h.call('POST', `/api/v1/accounts/${accountId}/freeze`, {
    token: h.tokens.admin,
    headers: { 'If-Match': '"v1"' },
  });
  expect(response.status).toBe(200);
}

describe('tranche.releaseRequested (the release saga)', () => {
  it("pays tuition to the institution's account and upkeep to the wallet, opening both, and says so", async () => {
    const studentId = randomUUID();
    const institutionId = randomUUID();
    const fundingBefore = await t.fundingBalance();
    const event = releaseRequested({ studentId, institutionId, tuition: '450000', upkeep: '120000' });

    const response = await t.deliver(event);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'processed' });

    const [tuition, upkeep] = await t.legsOf(event.data.trancheId);
    const [institution] = await t.institutionAccounts(institutionId);
    const [wallet] = await t.accountsOf(studentId);
    expect(institution).toMatchObject({
      owner_id: null,
      currency: 'MWK',
      status: 'active',
      balance: '450000',
    });
    expect(wallet).toMatchObject({ type: 'wallet', currency: 'MWK', balance: '120000' });
    expect(await t.fundingBalance()).toBe(fundingBefore - 570000n);
    expect(tuition).toMatchObject({
      kind: 'disbursement',
      credit_account_id: institution?.id,
      to_user_id: null,
      amount: '450000',
      loan_id: event.data.loanId,
      initiator: 'platform',
      idempotency_key: `${event.data.trancheId}:tuition`,
    });
    expect(upkeep).toMatchObject({
      kind: 'disbursement',
      credit_account_id: wallet?.id,
      to_user_id: studentId,
      amount: '120000',
      loan_id: event.data.loanId,
      idempotency_key: `${event.data.trancheId}:upkeep`,
    });
    // One announcement for the tranche, and no transfer.completed a v1 loan's handler could mistake.
    expect(await t.outboxFor(event.data.loanId)).toEqual([
      {
        type: 'tranche.released',
        data: {
          loanId: event.data.loanId,
          studentId,
          trancheId: event.data.trancheId,
          number: 1,
          tuitionTransferId: tuition?.id,
          upkeepTransferId: upkeep?.id,
          tuition: { amountMinor: '450000', currency: 'MWK' },
          upkeep: { amountMinor: '120000', currency: 'MWK' },
        },
      },
    ]);
  });

  it('moves nothing on a redelivery or a repeated request, and announces the same transfers again', async () => {
    const studentId = randomUUID();
    const institutionId = randomUUID();
    const event = releaseRequested({ studentId, institutionId, tuition: '3000', upkeep: '700' });
    await t.deliver(event);
    const fundingAfterFirst = await t.fundingBalance();

    expect((await t.deliver(event)).json).toEqual({ status: 'duplicate' });
    expect((await t.deliver(askedAgain(event))).json).toEqual({ status: 'processed' });
    // Asked again after the wallet was frozen: still the release it was, not a failure.
    const [wallet] = await t.accountsOf(studentId);
    await freeze(wallet?.id as string);
    expect((await t.deliver(askedAgain(event))).json).toEqual({ status: 'processed' });

    expect(await t.legsOf(event.data.trancheId)).toHaveLength(2);
    expect(await t.fundingBalance()).toBe(fundingAfterFirst);
    expect((await t.institutionAccounts(institutionId))[0]?.balance).toBe('3000');
    expect(await t.balanceOfAccount(wallet?.id as string)).toBe(700n);
    const announced = await t.outboxFor(event.data.loanId);
    expect(announced.map((e) => e.type)).toEqual([
      'tranche.released',
      'tranche.released',
      'tranche.released',
    ]);
    expect(new Set(announced.map((e) => JSON.stringify(e.data))).size).toBe(1);
  });

  it('posts neither leg when the wallet is frozen, answers tranche.releaseFailed, and releases once it is not', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await freeze(wallet.id);
    const institutionId = randomUUID();
    // The institution already has money from another student's tranche: its balance must not move.
    await t.deliver(
      releaseRequested({ studentId: randomUUID(), institutionId, tuition: '900', upkeep: '0' }),
    );
    const [institution] = await t.institutionAccounts(institutionId);
    const fundingBefore = await t.fundingBalance();

    const event = releaseRequested({ studentId: student.id, institutionId, tuition: '5000', upkeep: '800' });
    expect((await t.deliver(event)).status).toBe(200);
    expect(await t.legsOf(event.data.trancheId)).toEqual([]);
    expect(await t.balanceOfAccount(institution?.id as string)).toBe(900n);
    expect(await t.balanceOfAccount(wallet.id)).toBe(0n);
    expect(await t.fundingBalance()).toBe(fundingBefore);
    expect(await t.outboxFor(event.data.loanId)).toEqual([
      {
        type: 'tranche.releaseFailed',
        data: {
          loanId: event.data.loanId,
          studentId: student.id,
          trancheId: event.data.trancheId,
          number: 1,
          reason: 'wallet_frozen',
        },
      },
    ]);

    await h.call('POST', `/api/v1/accounts/${wallet.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    await t.deliver(askedAgain(event));
    expect(await t.legsOf(event.data.trancheId)).toHaveLength(2);
    expect(await t.balanceOfAccount(institution?.id as string)).toBe(5900n);
    expect(await t.balanceOfAccount(wallet.id)).toBe(800n);
    expect((await t.outboxFor(event.data.loanId)).map((e) => e.type)).toEqual([
      'tranche.releaseFailed',
      'tranche.released',
    ]);
  });

  it("opens no account for a refused release: the institution's is rolled back with the legs", async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await freeze(wallet.id);
    const institutionId = randomUUID();
    await t.deliver(releaseRequested({ studentId: student.id, institutionId, tuition: '10', upkeep: '10' }));
    expect(await t.institutionAccounts(institutionId)).toEqual([]);
  });

  it("refuses when the institution's account is frozen, and the wallet gets nothing either", async () => {
    const institutionId = randomUUID();
    await t.deliver(
      releaseRequested({ studentId: randomUUID(), institutionId, tuition: '100', upkeep: '0' }),
    );
    const [institution] = await t.institutionAccounts(institutionId);
    await freeze(institution?.id as string);
    const studentId = randomUUID();
    const event = releaseRequested({ studentId, institutionId, tuition: '100', upkeep: '50' });
    await t.deliver(event);
    expect((await t.outboxFor(event.data.loanId)).map((e) => [e.type, e.data.reason])).toEqual([
      ['tranche.releaseFailed', 'institution_account_frozen'],
    ]);
    expect(await t.accountsOf(studentId)).toEqual([]);
    expect(await t.balanceOfAccount(institution?.id as string)).toBe(100n);
  });

  it('posts only the tuition leg of a tuition-only tranche, opening no wallet', async () => {
    const studentId = randomUUID();
    const institutionId = randomUUID();
    const fundingBefore = await t.fundingBalance();
    const event = releaseRequested({ studentId, institutionId, tuition: '250000', upkeep: '0' });
    await t.deliver(event);
    const legs = await t.legsOf(event.data.trancheId);
    expect(legs.map((leg) => [leg.idempotency_key, leg.amount])).toEqual([
      [`${event.data.trancheId}:tuition`, '250000'],
    ]);
    expect(await t.accountsOf(studentId)).toEqual([]);
    expect((await t.institutionAccounts(institutionId))[0]?.balance).toBe('250000');
    expect(await t.fundingBalance()).toBe(fundingBefore - 250000n);
    const [released] = await t.outboxFor(event.data.loanId);
    expect(released?.data).toMatchObject({ tuitionTransferId: legs[0]?.id, upkeepTransferId: null });
  });

  it('posts only the upkeep leg of an upkeep-only tranche, with no institution', async () => {
    const studentId = randomUUID();
    const fundingBefore = await t.fundingBalance('USD');
    const event = releaseRequested({
      studentId,
      institutionId: null,
      tuition: '0',
      upkeep: '6000',
      currency: 'USD',
    });
    await t.deliver(event);
    const legs = await t.legsOf(event.data.trancheId);
    expect(legs.map((leg) => [leg.idempotency_key, leg.amount, leg.currency])).toEqual([
      [`${event.data.trancheId}:upkeep`, '6000', 'USD'],
    ]);
    const [wallet] = await t.accountsOf(studentId);
    expect(wallet).toMatchObject({ currency: 'USD', balance: '6000' });
    expect(await t.fundingBalance('USD')).toBe(fundingBefore - 6000n);
    const [released] = await t.outboxFor(event.data.loanId);
    expect(released?.data).toMatchObject({ tuitionTransferId: null, upkeepTransferId: legs[0]?.id });
  });

  it('keeps one account per institution and currency', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const releases = [
      { institutionId: first, currency: 'MWK', tuition: '100' },
      { institutionId: first, currency: 'USD', tuition: '20' },
      { institutionId: second, currency: 'MWK', tuition: '300' },
      { institutionId: second, currency: 'USD', tuition: '40' },
      { institutionId: first, currency: 'MWK', tuition: '5' },
      { institutionId: second, currency: 'USD', tuition: '6' },
    ];
    for (const release of releases) {
      await t.deliver(releaseRequested({ studentId: randomUUID(), upkeep: '0', ...release }));
    }
    const summary = async (institutionId: string) =>
      (await t.institutionAccounts(institutionId)).map((a) => [a.currency, a.balance]);
    expect(await summary(first)).toEqual([
      ['MWK', '105'],
      ['USD', '20'],
    ]);
    expect(await summary(second)).toEqual([
      ['MWK', '300'],
      ['USD', '46'],
    ]);
  });

  it.each([
    ['no_funding_account', { tuition: '10', upkeep: '10', currency: 'EUR' }],
    ['institution_required', { tuition: '10', upkeep: '10', institutionId: null }],
    ['invalid_amount', { tuition: '0', upkeep: '0' }],
    ['invalid_amount', { tuition: '9007199254740992', upkeep: '1' }],
  ] as const)('answers %s and moves nothing for %o', async (reason, fields) => {
    const studentId = randomUUID();
    const institutionId = randomUUID();
    const fundingBefore = await t.fundingBalance();
    const event = releaseRequested({ studentId, institutionId, ...fields });
    expect((await t.deliver(event)).status).toBe(200);
    expect((await t.outboxFor(event.data.loanId)).map((e) => [e.type, e.data.reason])).toEqual([
      ['tranche.releaseFailed', reason],
    ]);
    expect(await t.legsOf(event.data.trancheId)).toEqual([]);
    expect(await t.accountsOf(studentId)).toEqual([]);
    expect(await t.institutionAccounts(institutionId)).toEqual([]);
    expect(await t.fundingBalance()).toBe(fundingBefore);
  });

  it('refuses legs in two currencies', async () => {
    const event = releaseRequested({
      studentId: randomUUID(),
      institutionId: randomUUID(),
      tuition: '1',
      upkeep: '1',
    });
    event.data.upkeep.currency = 'USD';
    await t.deliver(event);
    expect((await t.outboxFor(event.data.loanId)).map((e) => e.data.reason)).toEqual(['currency_mismatch']);
    expect(await t.legsOf(event.data.trancheId)).toEqual([]);
  });

  it('counts each leg as a disbursement, and a refused release under its reason', async () => {
    const metric = async (pattern: RegExp) => {
      const text = await (await h.app.request('/metrics')).text();
      return Number(text.match(pattern)?.[1] ?? 0);
    };
    const completed =
      /ledger_transfers_total\{kind="disbursement",result="completed",service="ledger"\} (\d+)/;
    const moved =
      /ledger_transferred_minor_units_total\{currency="MWK",kind="disbursement",service="ledger"\} (\d+)/;
    const frozen =
      /ledger_transfers_total\{kind="disbursement",result="wallet_frozen",service="ledger"\} (\d+)/;
    const before = {
      completed: await metric(completed),
      moved: await metric(moved),
      frozen: await metric(frozen),
    };

    const event = releaseRequested({
      studentId: randomUUID(),
      institutionId: randomUUID(),
      tuition: '40',
      upkeep: '2',
    });
    await t.deliver(event);
    await t.deliver(askedAgain(event));
    const student = await h.newStudent();
    await freeze((await h.openWallet(student.token)).id);
    await t.deliver(
      releaseRequested({ studentId: student.id, institutionId: null, tuition: '0', upkeep: '1' }),
    );

    expect(await metric(completed)).toBe(before.completed + 2);
    expect(await metric(moved)).toBe(before.moved + 42);
    expect(await metric(frozen)).toBe(before.frozen + 1);
  });

  it('posts a tranche once when the same request arrives several times at once', async () => {
    for (let round = 0; round < 5; round++) {
      const studentId = randomUUID();
      const institutionId = randomUUID();
      const fundingBefore = await t.fundingBalance();
      const event = releaseRequested({ studentId, institutionId, tuition: '1000', upkeep: '234' });
      // Loans asking again at the same moment (new event ids) and the relay redelivering one (same id).
      const deliveries = [event, askedAgain(event), askedAgain(event), event];
      const responses = await Promise.all(deliveries.map((envelope) => t.deliver(envelope)));

      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(responses.map((r) => r.json.status).sort()).toEqual([
        'duplicate',
        'processed',
        'processed',
        'processed',
      ]);
      const legs = await t.legsOf(event.data.trancheId);
      expect(legs.map((leg) => leg.amount)).toEqual(['1000', '234']);
      expect(await t.institutionAccounts(institutionId)).toHaveLength(1);
      expect((await t.institutionAccounts(institutionId))[0]?.balance).toBe('1000');
      expect((await t.accountsOf(studentId)).map((a) => a.balance)).toEqual(['234']);
      expect(await t.fundingBalance()).toBe(fundingBefore - 1234n);
      const announced = await t.outboxFor(event.data.loanId);
      expect(announced.map((e) => [e.type, e.data.tuitionTransferId, e.data.upkeepTransferId])).toEqual(
        Array.from({ length: 3 }, () => ['tranche.released', legs[0]?.id, legs[1]?.id]),
      );
    }
  });

  it('opens one account for an institution whose first tranches of many students arrive at once', async () => {
    const institutionId = randomUUID();
    const fundingBefore = await t.fundingBalance();
    const events = Array.from({ length: 6 }, (_, i) =>
      releaseRequested({ studentId: randomUUID(), institutionId, tuition: String(100 + i), upkeep: '1' }),
    );
    const responses = await Promise.all(events.map((event) => t.deliver(event)));
    expect(responses.map((r) => r.json.status)).toEqual(Array(6).fill('processed'));
    const accounts = await t.institutionAccounts(institutionId);
    expect(accounts.map((a) => a.balance)).toEqual(['615']);
    expect(await t.fundingBalance()).toBe(fundingBefore - 621n);
  });
});
