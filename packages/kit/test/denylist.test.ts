import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Principal, REVOCATION_RETENTION_SECONDS, UserRevocationList } from '../src/index.js';

const now = 1_800_000_000;
const principal = (overrides: Partial<Principal> = {}): Principal => ({
  userId: randomUUID(),
  role: 'student',
  tokenId: randomUUID(),
  sessionId: randomUUID(),
  emailVerified: true,
  issuedAt: now - 60,
  expiresAt: now + 840,
  token: 'x',
  ...overrides,
});

describe('the token denylist', () => {
  it("refuses an ended session's tokens as session_ended, a disabled user's as revoked, nothing else", () => {
    const list = new UserRevocationList();
    const ended = principal();
    const disabled = principal();
    list.endSessions([ended.sessionId as string], now);
    list.revokeTokensIssuedBefore(disabled.userId, now);
    expect(list.refusal(ended)).toBe('session_ended');
    expect(list.refusal(principal({ ...ended, tokenId: randomUUID(), issuedAt: now + 10 }))).toBe(
      'session_ended',
    );
    expect(list.refusal(disabled)).toBe('revoked');
    expect(list.refusal(principal())).toBeUndefined();
    // A token without a session (none is issued so, but old ones may be) is not refused for it.
    expect(list.refusal(principal({ sessionId: undefined }))).toBeUndefined();
  });

  it('forgets an entry once every token it refuses has expired, so it stays small', () => {
    const list = new UserRevocationList();
    const sessions = Array.from({ length: 1_000 }, () => randomUUID());
    list.endSessions(sessions.slice(0, 500), now - REVOCATION_RETENTION_SECONDS - 1);
    list.endSessions(sessions.slice(500), now);
    expect(list.size.sessions).toBe(1_000);
    list.forgetRevokedBefore(now - REVOCATION_RETENTION_SECONDS);
    expect(list.size.sessions).toBe(500);
    expect(list.refusal(principal({ sessionId: sessions[0] }))).toBeUndefined();
    expect(list.refusal(principal({ sessionId: sessions[999] }))).toBe('session_ended');
  });

  it('keeps the first end of a session that ends twice', () => {
    const list = new UserRevocationList();
    const id = randomUUID();
    list.endSessions([id], now - REVOCATION_RETENTION_SECONDS - 1);
    list.endSessions([id], now);
    list.forgetRevokedBefore(now - REVOCATION_RETENTION_SECONDS);
    expect(list.size.sessions).toBe(0);
  });
});
