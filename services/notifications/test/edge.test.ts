import { waitFor } from '@bonding/testing';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_ADMIN as admin, type Platform, startPlatform } from '../../../tests/platform/platform.js';
import { type MailSink, type SinkMessage, startMailSink } from '../src/dev/mail-sink.js';
import { notificationOf, readSse, type SseReader } from './sse-client.js';

/**
 * Real processes: identity, notifications and the local gateway (enforcing
 * kong/kong.yml), with an SMTP sink. Identity's events reach notifications
 * through its outbox relay; users reach both only through the edge.
 */
let platform: Platform;
let sink: MailSink;
let edge: string;
const mails: SinkMessage[] = [];
const streams: SseReader[] = [];

beforeAll(async () => {
  sink = await startMailSink({ accept: (message) => void mails.push(message) });
  platform = await startPlatform({
    name: 'edge',
    services: ['notifications'],
    env: { notifications: { SMTP_URL: sink.url, MAIL_POLL_INTERVAL_MS: '100', STREAM_HEARTBEAT_MS: '1000' } },
  });
  edge = `${platform.edge}/api/v1`;
}, 180_000);

afterAll(async () => {
  await Promise.all(streams.map((stream) => stream.close()));
  await platform?.close();
  await sink?.close();
});

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${edge}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => undefined)) as any };
}

async function list(token: string) {
  const response = await fetch(`${edge}/notifications`, { headers: { Authorization: `Bearer ${token}` } });
  return ((await response.json()) as { items: { kind: string }[] }).items;
}

/** Opens the stream through the edge and waits until it is registered (its first frame). */
async function openStream(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${edge}/notifications/stream${query}`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = readSse(response.body);
  streams.push(reader);
  await reader.next((frame) => frame.retry !== undefined);
  return reader;
}

describe('notifications through the edge', () => {
  it('welcomes a new student in-app and with an e-mail in their name', async () => {
    const tag = Date.now().toString(36);
    const email = `edge.${tag}@example.test`;
    const registered = await post('/auth/register', {
      email,
      password: 'a-good-long-password',
      firstName: 'Thandiwe',
      lastName: 'Mvula',
      role: 'student',
      regNumber: `EDGE/${tag}`,
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await post('/auth/login', { email, password: 'a-good-long-password' })).json;
    const items = await waitFor(async () => {
      const found = await list(accessToken);
      return found.length > 0 ? found : undefined;
    });
    expect(items.map((item) => item.kind)).toEqual(['welcome']);
    // The verification e-mail goes to the same address, possibly first: its event travels on the private
    // stream, ordered only among the one-time-code events (docs/events.md, "The private stream").
    const welcome = await waitFor(
      async () => {
        for (const message of mails.filter((m) => m.to.includes(email))) {
          const parsed = await simpleParser(message.raw);
          if (parsed.subject === 'Welcome to the Bonding Platform') return parsed;
        }
        return undefined;
      },
      { what: 'the welcome e-mail' },
    );
    expect(welcome.text).toContain('Dear Thandiwe,');
  });

  it('streams a new notification within a second, with a ticket and with a bearer header', async () => {
    const { accessToken } = (await post('/auth/login', admin)).json;
    // The admin is known to notifications once identity's event for them arrived.
    await waitFor(async () => (await list(accessToken)).length > 0, { what: "the admin's welcome" });
    const ticket = await post('/notifications/stream-tickets', {}, accessToken);
    expect(ticket.status).toBe(201);
    const byTicket = await openStream(`?ticket=${ticket.json.ticket}`);
    const byHeader = await openStream('', { Authorization: `Bearer ${accessToken}` });

    const started = Date.now();
    const agent = await post('/auth/register', {
      email: `agent.${Date.now().toString(36)}@example.test`,
      password: 'a-good-long-password',
      firstName: 'Yamikani',
      lastName: 'Banda',
      role: 'agent',
    });
    expect(agent.status).toBe(201);
    for (const stream of [byTicket, byHeader]) {
      const frame = await stream.next((f) => f.event === 'notification', 1_000 - (Date.now() - started));
      expect(notificationOf(frame)).toMatchObject({
        kind: 'agent_pending_approval',
        data: { userId: agent.json.id },
      });
    }
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a used ticket and a request with no credentials at the service, not the edge', async () => {
    const { accessToken } = (await post('/auth/login', admin)).json;
    const { ticket } = (await post('/notifications/stream-tickets', {}, accessToken)).json;
    await openStream(`?ticket=${ticket}`);
    const reused = await fetch(`${edge}/notifications/stream?ticket=${ticket}`);
    expect(reused.status).toBe(401);
    expect(((await reused.json()) as { code: string }).code).toBe('invalid_ticket');
    const anonymous = await fetch(`${edge}/notifications/stream`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('keeps a token check at the edge on every other notifications route', async () => {
    for (const [method, path] of [
      ['GET', '/notifications'],
      ['POST', '/notifications/read-all'],
      ['POST', '/notifications/stream-tickets'],
    ] as const) {
      const response = await fetch(`${edge}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      // Kong's jwt plugin answers, not the service.
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
  });
});
