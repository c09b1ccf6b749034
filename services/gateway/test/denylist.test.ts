import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectNats, subjectOf } from '@bonding/kit';
import { natsUrl, waitFor } from '@bonding/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareJetStream, defaultJetStreamSettings } from '../../../platform/events/declaration.js';
import { deleteJetStream, provisionJetStream } from '../../../platform/events/provision.js';
import { type Edge, signIn, startEdge } from './edge.js';

/**
 * The local gateway refuses tokens of ended sessions and disabled users itself, from identity's events on
 * the JetStream stream (read from "new" into memory). Identity here is not told of the ended sessions these
 * tests publish, so a refusal of such a token can only be the gateway's.
 */
const id = randomBytes(4).toString('hex');
const STREAM = `T_GATEWAY_${id.toUpperCase()}`;
const PREFIX = `tg${id}`;

let edge: Edge;
let nc: Awaited<ReturnType<typeof connectNats>>;
beforeAll(async () => {
  nc = await connectNats(natsUrl(), 'gateway-denylist-test');
  const identity = { name: 'identity', produces: ['user.*', 'session.ended'] };
  await provisionJetStream(
    nc,
    declareJetStream(
      { services: [identity], subscriptions: {}, secretReaders: [] },
      { ...defaultJetStreamSettings, stream: STREAM, prefix: PREFIX },
    ),
  );
  edge = await startEdge({
    gatewayEnv: { NATS_URL: natsUrl(), NATS_STREAM: STREAM, NATS_SUBJECT_PREFIX: PREFIX },
  });
});
afterAll(async () => {
  await edge?.stop();
  await deleteJetStream(nc, STREAM);
  await nc?.close();
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

/** Published as identity's outbox publisher publishes: on the type's subject, by aggregate. */
async function publish(event: ReturnType<typeof envelope>) {
  const aggregate = String((event.data as { userId?: string }).userId ?? event.id);
  nc.publish(subjectOf(PREFIX, 'identity', event.type, aggregate), JSON.stringify(event));
  await nc.flush();
}

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

    await publish(await sessionEnded(ended));
    await waitFor(async () => fromEdge(await me(ended)), { what: 'the gateway refusing the ended session' });
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
    await publish(disabled);
    await waitFor(async () => fromEdge(await me(before)), { what: 'the gateway refusing the user' });
    const refused = await me(before);
    expect(refused.status).toBe(401);
    expect(fromEdge(refused)).toBe(true);
    expect(((await refused.json()) as { code: string }).code).toBe('token_revoked');
    expect(fromEdge(await me(after))).toBe(false);
  });

  it('takes an event again harmlessly, and skips events it does not consume or cannot read', async () => {
    const token = (await signIn(edge.baseUrl)).accessToken;
    // Not consumed (another type) and malformed (against the contract): skipped, and the next one applies.
    await publish(envelope('user.registered', { userId: randomUUID() }));
    await publish(envelope('session.ended', { userId: randomUUID(), sessionIds: [] }));
    const event = await sessionEnded(token);
    await publish(event);
    await publish({ ...event, id: randomUUID() });
    await waitFor(async () => fromEdge(await me(token)), { what: 'the gateway refusing the session' });
    expect((await me(token)).status).toBe(401);
  });

  it('has no /internal routes on either port any more', async () => {
    for (const base of [edge.baseUrl, edge.statusUrl]) {
      const response = await fetch(`${base}/internal/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(404);
    }
  });
});
