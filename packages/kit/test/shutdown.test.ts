import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRouter, startServer } from '../src/index.js';
import { createTestApp } from './test-app.js';

function get(
  port: number,
  path: string,
  agent: Agent | false = false,
): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new connections, then runs the cleanups', async () => {
    const { app, health, logger } = createTestApp();
    app.route(
      '/api/v1',
      createRouter().get('/slow', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return c.json({ done: true });
      }),
    );
    const cleaned: string[] = [];
    const server = await startServer({
      app,
      health,
      logger,
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5000,
      cleanups: [() => void cleaned.push('pool closed')],
    });
    // A keep-alive client: its connection stays open and idle after the response.
    const inFlight = get(server.port, '/api/v1/slow', new Agent({ keepAlive: true }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = server.shutdown('SIGTERM');
    expect(health.draining).toBe(true);
    // Answered, and told to close the connection rather than send another request down it.
    expect(await inFlight).toEqual({ status: 200, body: '{"done":true}', connection: 'close' });
    const drainStarted = performance.now();
    await stopped;
    // Idle keep-alive connections are closed at once, not after the keep-alive timeout.
    expect(performance.now() - drainStarted).toBeLessThan(1000);
    expect(cleaned).toEqual(['pool closed']);
    await expect(get(server.port, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('still answers a request sent down a keep-alive connection that was idle when shutdown began', async () => {
    const { app, health, logger } = createTestApp();
    const server = await startServer({
      app,
      health,
      logger,
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5000,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(server.port, '/livez', agent)).status).toBe(200);
    // The client's pooled connection is idle now; it reuses it right as the server starts draining.
    const stopped = server.shutdown('SIGTERM');
    expect(await get(server.port, '/livez', agent)).toMatchObject({ status: 200, connection: 'close' });
    await stopped;
    await expect(get(server.port, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('cuts requests that outlive the shutdown bound', async () => {
    const { app, health, logger } = createTestApp();
    app.route(
      '/api/v1',
      createRouter().get('/hang', () => new Promise<Response>(() => undefined)),
    );
    const server = await startServer({
      app,
      health,
      logger,
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 300,
    });
    const hanging = get(server.port, '/api/v1/hang').catch((error: Error) => error.message);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await server.shutdown();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await hanging).toMatch(/socket hang up|ECONNRESET/);
  });
});
