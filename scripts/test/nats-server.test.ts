import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { natsServerBin, natsUrl } from '../../packages/testing/src/nats.js';
import { freePort } from '../../packages/testing/src/process.js';
import { waitFor } from '../../packages/testing/src/wait-for.js';
import { SetupError } from '../lib/mysql-server.js';
import { ensureNatsServer, readServerInfo } from '../lib/nats-server.js';

// ensureNatsServer's checks of a server it is given (NATS_URL); installing and starting the local one is
// what `npm test` itself does before any test runs.
describe('the NATS server for local runs and tests', () => {
  const saved = process.env.NATS_URL;
  const url = natsUrl();
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    if (saved === undefined) delete process.env.NATS_URL;
    else process.env.NATS_URL = saved;
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('reads the version and JetStream from the INFO line of the running server', async () => {
    const { hostname, port } = new URL(url);
    const info = await readServerInfo(hostname, Number(port || 4222));
    expect(info?.jetstream).toBe(true);
    expect(info?.version).toMatch(/^2\.\d+\.\d+/);
  });

  it('uses NATS_URL when it answers as NATS with JetStream', async () => {
    process.env.NATS_URL = url;
    expect(await ensureNatsServer()).toBe(url);
  });

  it('refuses a NATS_URL that is not a URL', async () => {
    process.env.NATS_URL = 'not a url';
    await expect(ensureNatsServer()).rejects.toThrow(/is not a URL/);
  });

  it('refuses a NATS_URL where something else answers', async () => {
    const server: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    process.env.NATS_URL = `nats://127.0.0.1:${(server.address() as { port: number }).port}`;
    await expect(ensureNatsServer()).rejects.toThrow(SetupError);
    await expect(ensureNatsServer()).rejects.toThrow(/does not answer as a NATS server/);
  });

  it('refuses a NATS server without JetStream', async () => {
    const port = await freePort();
    const child = spawn(natsServerBin(), ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    await waitFor(() => readServerInfo('127.0.0.1', port, 500), { what: 'nats-server without -js' });
    process.env.NATS_URL = `nats://127.0.0.1:${port}`;
    await expect(ensureNatsServer()).rejects.toThrow(/without JetStream \(start it with -js\)/);
  });
});
