import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpPushTransport, SIGNATURE_HEADER, type Subscriber, signRequest } from '@bonding/kit';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, signIn, startEdge } from './edge.js';

/**
 * The local gateway refuses tokens of ended sessions and disabled users itself, from identity's events
 * delivered to its status port. Identity here is not told of the ended sessions these tests announce, so a
 * refusal of such a token can only be the gateway's.
 */
const SECRET = 'gateway-secret-used-only-by-these-tests-000001';

let edge: Edge;
let gateway: Subscriber;
beforeAll(async () => {
  edge = await startEdge({ gatewayEnv: { INTERNAL_SECRETS: SECRET } });
  gateway = { name: 'gateway', url: edge.statusUrl, patterns: ['user.disabled', 'session.ended'] };
});
afterAll(() => edge.stop());

// The producers' own transport: signed exactly as identity's relay signs.
const transport = createHttpPushTransport({
  peerSecrets: { gateway: SECRET },
  timeoutMs: 5_000,
  userAgent: 'gateway-denylist-test',
});

function envelope(type: string, data: Record<string, unknown>) {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'identity',
    data,
  };
}

const deliver = (event: ReturnType<typeof envelope>) =>
  transport.deliver(gateway, event, new AbortController().signal);

function claimsOf(token: string): { sub: string; sid: string } {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}

const me = (token: string, base = edge.baseUrl) =>
  fetch(`${base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });

/** Kong marks a response it produced itself with X-Kong-Response-Latency, a proxied one with the upstream's. */
const fromEdge = (response: Response) =>
  response.headers.has('x-kong-response-latency') && !response.headers.has('x-kong-upstream-latency');

async function sessionEnded(token: string) {
  const { sub, sid } = claimsOf(token);
  return envelope('session.ended', {
    userId: sub,
    sessionIds: [sid],
    endedAt: new Date().toISOString(),
    reason: 'logout',
  });
}

/** An access token as identity issues them, for a user of the test's choosing. */
function accessToken(userId: string, issuedAt: number) {
  const key = createPrivateKey(readFileSync(join(edge.keysDir, `${edge.kid}.pem`)));
  return new SignJWT({ role: 'student', sid: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid: edge.kid, typ: 'at+jwt' })
    .setIssuer('http://localhost:3001')
    .setAudience('bonding-platform')
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 900)
    .sign(key);
}

describe('the local gateway denylist', () => {
  it("refuses an ended session's token itself, with the service's answer, and lets the user's other session pass", async () => {
    const ended = (await signIn(edge.baseUrl)).accessToken;
    const kept = (await signIn(edge.baseUrl)).accessToken;
    expect((await me(ended)).status).toBe(200);

    expect(await deliver(await sessionEnded(ended))).toEqual({ ok: true });
    const refused = await me(ended);
    expect(refused.status).toBe(401);
    expect(fromEdge(refused), 'the gateway answered, not identity').toBe(true);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body.code).toBe('session_ended');
    expect(body.requestId).toBe(refused.headers.get('x-request-id'));
    // Identity was not told: straight to it, the token still works.
    expect((await me(ended, edge.identity.baseUrl)).status).toBe(200);
    expect((await me(kept)).status).toBe(200);

    // A session identity itself ended is refused by identity behind the gateway: the same answer.
    const signedOut = (await signIn(edge.baseUrl)).accessToken;
    const logout = await fetch(`${edge.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${signedOut}` },
    });
    expect(logout.status).toBe(204);
    const byIdentity = await me(signedOut);
    expect(byIdentity.status).toBe(401);
    expect(fromEdge(byIdentity)).toBe(false);
    for (const header of ['content-type', 'www-authenticate'])
      expect(refused.headers.get(header), header).toBe(byIdentity.headers.get(header));
    const { requestId: _edgeId, ...edgeBody } = body;
    const { requestId: _identityId, ...identityBody } = (await byIdentity.json()) as Record<string, unknown>;
    expect(edgeBody).toEqual(identityBody);
  });

  it("refuses a disabled user's tokens issued before the moment, not those issued after", async () => {
    const userId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const before = await accessToken(userId, now - 60);
    const after = await accessToken(userId, now + 60);
    expect(fromEdge(await me(before)), 'before the event the gateway passes it on').toBe(false);

    const disabled = envelope('user.disabled', {
      userId,
      disabledBy: randomUUID(),
      disabledAt: new Date(now * 1000).toISOString(),
    });
    expect(await deliver(disabled)).toEqual({ ok: true });
    const refused = await me(before);
    expect(refused.status).toBe(401);
    expect(fromEdge(refused)).toBe(true);
    expect(((await refused.json()) as { code: string }).code).toBe('token_revoked');
    expect(fromEdge(await me(after))).toBe(false);
  });

  it('takes a redelivery again, and refuses unsigned deliveries and events it does not consume', async () => {
    const token = (await signIn(edge.baseUrl)).accessToken;
    const event = await sessionEnded(token);
    expect(await deliver(event)).toEqual({ ok: true });
    expect(await deliver(event)).toEqual({ ok: true });
    expect(fromEdge(await me(token))).toBe(true);

    const unsigned = await fetch(`${edge.statusUrl}/internal/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { code: string }).code).toBe('signature_required');

    const registered = envelope('user.registered', { userId: randomUUID() });
    expect(await deliver(registered)).toMatchObject({ ok: false, permanent: true });
    const malformed = envelope('session.ended', { userId: randomUUID(), sessionIds: [] });
    expect(await deliver(malformed)).toMatchObject({ ok: false, permanent: true });
  });

  it('takes deliveries on the status port only: the public port never routes /internal', async () => {
    const body = JSON.stringify(await sessionEnded((await signIn(edge.baseUrl)).accessToken));
    const response = await fetch(`${edge.baseUrl}/internal/events`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signRequest(SECRET, { method: 'POST', path: '/internal/events', body }),
      },
      body,
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe(
      'no Route matched with those values',
    );
  });
});
