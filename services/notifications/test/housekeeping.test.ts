import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsHarness, type NotificationsHarness } from './harness.js';

let h: NotificationsHarness;
beforeAll(async () => {
  h = await createNotificationsHarness({ env: { MAIL_RETENTION_HOURS: '24' } });
});
afterAll(() => h?.close());

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

async function mail(status: 'pending' | 'sent' | 'dead', updatedAt: Date) {
  const id = uuidv7();
  await h.deps.db
    .insertInto('mail_outbox')
    .values({
      id,
      user_id: randomUUID(),
      template: 'agent_approved',
      params: '{"template":"agent_approved"}',
      status,
      attempts: 1,
      next_attempt_at: hoursAgo(-1),
      last_error: null,
      event_id: randomUUID(),
      created_at: updatedAt,
      updated_at: updatedAt,
      sent_at: status === 'sent' ? updatedAt : null,
    })
    .execute();
  return id;
}

async function ticket(expiresAt: Date) {
  const hash = randomUUID().replace(/-/g, '').padEnd(64, '0');
  await h.deps.db
    .insertInto('stream_tickets')
    .values({
      ticket_hash: hash,
      user_id: randomUUID(),
      role: 'student',
      session_id: null,
      token_issued_at: expiresAt,
      token_expires_at: expiresAt,
      expires_at: expiresAt,
      used_at: null,
      created_at: expiresAt,
    })
    .execute();
  return hash;
}

describe('housekeeping', () => {
  it('deletes sent e-mails past their retention and tickets a day after they expired, nothing else', async () => {
    const oldSent = await mail('sent', hoursAgo(25));
    const recentSent = await mail('sent', hoursAgo(1));
    const oldDead = await mail('dead', hoursAgo(100));
    const oldPending = await mail('pending', hoursAgo(100));
    const staleTicket = await ticket(hoursAgo(25));
    const freshTicket = await ticket(hoursAgo(1));

    await h.deps.housekeeping.runOnce();

    const mails = (await h.deps.db.selectFrom('mail_outbox').select('id').execute()).map((row) => row.id);
    expect(mails).not.toContain(oldSent);
    expect(mails).toEqual(expect.arrayContaining([recentSent, oldDead, oldPending]));
    const tickets = (await h.deps.db.selectFrom('stream_tickets').select('ticket_hash').execute()).map(
      (row) => row.ticket_hash,
    );
    expect(tickets).toEqual([freshTicket]);
    expect(tickets).not.toContain(staleTicket);
  });
});
