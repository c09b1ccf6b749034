// The chart's route TLS on real nats-servers: two servers from the rendered nats.conf (nats.tls on, two
// replicas), their routes pointed at local ports, with a CA and a certificate made here by openssl. They
// form their route over TLS, each verifying the other; a third server with the same cluster block but no
// TLS is refused by both — so what the servers replicate (the streams, one-time codes included) cannot
// travel in the clear, nor to a peer without a certificate from the CA.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, installedNatsServerBin } from '../../packages/testing/src/index.js';
import { findHelm, renderChartWith } from './helm.js';

const helm = findHelm();
const bin = installedNatsServerBin();
const openssl = spawnSync('openssl', ['version']).status === 0;

/** A CA and one certificate for 127.0.0.1 usable by both ends of a route (server and client auth). */
function makeCertificates(dir: string): void {
  const run = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
  };
  run(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt'].concat([
      '-days',
      '1',
      '-subj',
      '/CN=bonding-test-ca',
    ]),
  );
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=nats']);
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  run(
    ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      'tls.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    ]),
  );
}

interface Server {
  process: ChildProcess;
  monitor: number;
}

describe.skipIf(!helm || !bin || !openssl)('the chart’s NATS routes over TLS on real nats-servers', () => {
  let dir: string;
  const servers: Server[] = [];

  /** How many routes a server has, from its monitoring endpoint (undefined while it is not up). */
  async function routes(server: Server): Promise<number | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${server.monitor}/routez`);
      return ((await response.json()) as { num_routes: number }).num_routes;
    } catch {
      return undefined;
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bonding-nats-routes-'));
    makeCertificates(dir);
    const objects = renderChartWith(helm as string, {
      args: [
        '--set',
        'nats.replicas=2',
        '--set',
        'nats.stream.replicas=1',
        '--set',
        'nats.tls.enabled=true',
      ].concat(['--set', 'nats.tls.existingSecret=nats-tls']),
    });
    const rendered = (
      objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'bonding-nats') as unknown as {
        data: Record<string, string>;
      }
    ).data['nats.conf'] as string;
    expect(rendered).toMatch(/cluster \{[\s\S]*tls \{[\s\S]*verify: true/);
    const ports = await Promise.all(Array.from({ length: 9 }, () => freePort()));
    const clusterPorts = [ports[0], ports[1], ports[2]] as number[];
    for (let i = 0; i < 3; i++) {
      // The third server stands for a peer without the certificate: same cluster, no route TLS.
      const withTls = i < 2;
      let conf = rendered
        .replace('listen: "0.0.0.0:4222"', `listen: "127.0.0.1:${ports[3 + i]}"`)
        .replace('http: "0.0.0.0:8222"', `http: "127.0.0.1:${ports[6 + i]}"`)
        .replace('listen: "0.0.0.0:6222"', `listen: "127.0.0.1:${clusterPorts[i]}"`)
        .replace('"/data/jetstream"', JSON.stringify(join(dir, `js-${i}`)))
        .replace('"/var/run/nats/nats.pid"', JSON.stringify(join(dir, `nats-${i}.pid`)))
        .replaceAll('/etc/nats-tls/', `${dir}/`)
        .replace(
          /routes: \[[^\]]*\]/,
          `routes: [${clusterPorts
            .filter((_, j) => j !== i)
            .map((port) => `"nats://127.0.0.1:${port}"`)
            .join(', ')}]`,
        );
      if (!withTls) conf = conf.replace(/\n {2}tls \{[^}]*\}/, '');
      writeFileSync(join(dir, `nats-${i}.conf`), conf);
      const env: Record<string, string> = { ...process.env, POD_NAME: `bonding-nats-${i}` } as Record<
        string,
        string
      >;
      for (const [, user] of conf.matchAll(/user: "([^"]+)"/g))
        env[`NATS_PASSWORD_${(user as string).toUpperCase()}`] = 'pw';
      const child = spawn(
        bin as string,
        ['-c', join(dir, `nats-${i}.conf`), '-l', join(dir, `nats-${i}.log`)],
        {
          env,
          stdio: 'ignore',
        },
      );
      servers.push({ process: child, monitor: ports[6 + i] as number });
    }
  }, 60_000);

  afterAll(() => {
    for (const server of servers) server.process.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('routes the two servers with certificates to each other, and refuses the one without', async () => {
    const [first, second, plain] = servers as [Server, Server, Server];
    const deadline = Date.now() + 20_000;
    while (
      ((await routes(first)) ?? 0) < 1 ||
      ((await routes(second)) ?? 0) < 1 ||
      (await routes(plain)) === undefined
    ) {
      if (Date.now() > deadline) throw new Error('the servers did not start, or the TLS ones form no route');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The plain server is up; give it time to try (it retries every second or so): it never gets a route.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // (2.10+ pools several connections per peer, 2.9 keeps one.)
    expect(await routes(first)).toBeGreaterThan(0);
    expect(await routes(second)).toBeGreaterThan(0);
    expect(await routes(plain)).toBe(0);
  }, 40_000);
});
