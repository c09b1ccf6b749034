import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ServiceProcess } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess } from './edge.js';

/** A stand-in service: echoes its path, answers slowly, or streams server-sent events. */
function startUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/slow')) {
      setTimeout(() => res.writeHead(200).end('late'), 2000);
    } else if (req.url?.endsWith('/events')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        res.write(`id: ${sent}\ndata: tick ${sent}\n\n`);
        if (sent === 4) {
          clearInterval(timer);
          res.end();
        }
      }, 500);
      req.on('close', () => clearInterval(timer));
    } else if (req.url?.endsWith('/teapot')) {
      res.writeHead(418, { 'Content-Type': 'application/problem+json' }).end('{"code":"teapot"}');
    } else {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ url: req.url, headers: req.headers }));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

let upstream: Server;
let gateway: ServiceProcess;
beforeAll(async () => {
  const started = await startUpstream();
  upstream = started.server;
  const up = `http://127.0.0.1:${started.port}`;
  const closedPort = await freePort();
  const config = `
_format_version: "3.0"
services:
  - name: impatient
    url: ${up}/impatient
    read_timeout: 300
    routes:
      - { name: impatient, paths: [/impatient] }
  - name: streams
    url: ${up}
    read_timeout: 5000
    routes:
      - { name: streams, paths: [/streams], strip_path: false, response_buffering: false }
  - name: down
    url: http://127.0.0.1:${closedPort}
    connect_timeout: 500
    retries: 1
    routes:
      - { name: down, paths: [/down] }
  - name: short-prefix
    url: ${up}/short-prefix
    routes:
      - { name: short-prefix, paths: [/api] }
  - name: long-prefix
    url: ${up}/long-prefix
    routes:
      - { name: long-prefix, paths: [/api/v1] }
  - name: by-method
    url: ${up}/by-method
    routes:
      - { name: by-method, paths: [/api], methods: [GET] }
  - name: by-regex
    url: ${up}/by-regex
    routes:
      - { name: by-regex, paths: ["~/api/v1/items/\\\\d+$"] }
`;
  const file = join(mkdtempSync(join(tmpdir(), 'bonding-kong-')), 'kong.yml');
  writeFileSync(file, config);
  ({ gateway } = await startGatewayProcess(file));
});
afterAll(async () => {
  await gateway?.stop('SIGKILL');
  upstream?.close();
});

const echo = async (method: string, path: string) => {
  const response = await fetch(`${gateway.baseUrl}${path}`, { method });
  return ((await response.json()) as { url: string }).url;
};

describe('upstream failures', () => {
  it('answers 502 in Kong format when the service is unreachable (after its retries)', async () => {
    const plain = await fetch(`${gateway.baseUrl}/down/anything`, { headers: { Accept: '' } });
    expect(plain.status).toBe(502);
    const json = await fetch(`${gateway.baseUrl}/down/anything`, { headers: { Accept: 'application/json' } });
    expect(json.status).toBe(502);
    expect(((await json.json()) as { message: string }).message).toBe(
      'An invalid response was received from the upstream server',
    );
  });

  it('answers 504 when the service is silent for longer than its read timeout', async () => {
    const response = await fetch(`${gateway.baseUrl}/impatient/slow`, {
      headers: { Accept: 'application/json' },
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { message: string }).message).toBe(
      'The upstream server is timing out',
    );
  });

  it('passes the service’s own errors through unchanged', async () => {
    const response = await fetch(`${gateway.baseUrl}/impatient/teapot`);
    expect(response.status).toBe(418);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.text()).toBe('{"code":"teapot"}');
  });
});

describe('streams', () => {
  it('passes server-sent events unbuffered and keeps a stream open past a short read timeout elsewhere', async () => {
    const started = performance.now();
    const response = await fetch(`${gateway.baseUrl}/streams/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // The first event arrives on its own, long before the stream ends (2 s).
    expect(new TextDecoder().decode(first.value)).toContain('data: tick 1');
    expect(performance.now() - started).toBeLessThan(1500);
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: tick 4');
  });

  it('cuts a stream on a service whose read timeout is shorter than its silences', async () => {
    const response = await fetch(`${gateway.baseUrl}/impatient/events`).catch((error: Error) => error);
    if (response instanceof Response) {
      const body = await response.text().catch((error: Error) => `cut: ${error.message}`);
      expect(body).not.toContain('tick 4');
    } else {
      expect(response).toBeInstanceOf(Error);
    }
  });
});

describe('router precedence', () => {
  it('prefers routes with more match fields (methods + path) over path only', async () => {
    expect(await echo('GET', '/api/v1/things')).toBe(
      '/by-method/api/v1/things'.replace('/by-method/api', '/by-method'),
    );
  });

  it('prefers a regex path over prefixes among routes with as many fields', async () => {
    expect(await echo('POST', '/api/v1/items/42')).toBe('/by-regex');
  });

  it('prefers the longer prefix among plain prefixes', async () => {
    expect(await echo('POST', '/api/v1/things')).toBe('/long-prefix/things');
    expect(await echo('POST', '/api/other')).toBe('/short-prefix/other');
  });

  it('sets the forwarding headers as Kong does', async () => {
    const response = await fetch(`${gateway.baseUrl}/api/v1/things`, {
      method: 'POST',
      headers: { 'X-Forwarded-For': '203.0.113.9' },
    });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(headers.via).toContain('kong/3.9.3 compatible');
    expect(response.headers.get('via')).toContain('kong/3.9.3 compatible');
  });
});
