// What only shows at deploy time (#24): renders that helm lint and kubeconform accept but that fail once
// installed — a `helm test` Kong answers 404, two releases whose Kong entities collide, kids that share a
// Secret name, rate limits that open when Redis is down, pods that stop listening before Kong stops
// sending, moving image tags. Each assertion below is one of those defects, checked on the rendered objects.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartDir, findHelm, RELEASE, renderChartWith, repoRoot } from './helm.js';
import type { K8sObject } from './kic.js';

const helm = findHelm();
const work = mkdtempSync(join(tmpdir(), 'bonding-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** --set-file arguments publishing a throw-away public key per kid. */
function keyArgs(kids: string[]): string[] {
  return kids.flatMap((kid, index) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(work, `key-${index}.pub`);
    writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    // helm's --set-file splits keys on "."; escape them so a kid such as 2026.11 stays one key.
    return ['--set-file', `jwt.publicKeys.${kid.replaceAll('.', '\\.')}=${file}`];
  });
}

type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  imagePullSecrets?: { name: string }[];
  terminationGracePeriodSeconds?: number;
};
type Container = {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  command?: string[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
};

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
const spec = (object: K8sObject) => object.spec as Record<string, unknown>;

/** The pod spec of any workload kind the chart renders. */
function podSpec(object: K8sObject): PodSpec | undefined {
  if (object.kind === 'Pod') return object.spec as PodSpec;
  if (object.kind === 'CronJob')
    return (spec(object).jobTemplate as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
  if (['Deployment', 'StatefulSet', 'Job'].includes(object.kind))
    return (spec(object).template as { spec: PodSpec }).spec;
  return undefined;
}

const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));

/** Objects a cluster would refuse as duplicates: one kind, namespace and name twice. */
function duplicates(objects: K8sObject[]): string[] {
  const seen = new Map<string, number>();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
}

/** Everything Kong requires unique across the whole gateway, and cluster-scoped object names. */
function gatewayWideNames(objects: K8sObject[]): string[] {
  return [
    ...ofKind(objects, 'KongConsumer').flatMap((consumer) => [
      `username:${consumer.username}`,
      `custom_id:${consumer.custom_id}`,
    ]),
    ...ofKind(objects, 'Secret')
      .filter((secret) => secret.metadata.labels?.['konghq.com/credential'] === 'jwt')
      .map((secret) => `jwt key:${(secret.stringData as { key: string }).key}`),
    ...ofKind(objects, 'KongClusterPlugin').map((plugin) => `KongClusterPlugin:${plugin.metadata.name}`),
  ];
}

const suiteTitle = helm
  ? 'charts/bonding deploy-time checks'
  : 'charts/bonding deploy-time checks — SKIPPED: helm is not installed (npm test installs it into .tools/k8s/bin; or set HELM)';

describe.skipIf(!helm)(suiteTitle, () => {
  const render = (options: Parameters<typeof renderChartWith>[1]) => renderChartWith(helm as string, options);
  const defaults = render({ args: keyArgs(['2026-11']) });
  const production = render({ valuesFiles: ['production-values.yaml'], args: keyArgs(['2026-11']) });
  // A second release in another namespace behind the same Kong, with kids that differ only by "_", "."
  // and case: what the shared-Kong setup of edge.globalPluginScope must survive.
  const collidingKids = ['2026_11', '2026.11', '2026-11', 'Key-A', 'key-a'];
  const neighbour = render({ release: 'bonding', namespace: 'shop', args: keyArgs(collidingKids) });
  const neighbourIngressScope = render({
    release: 'lending',
    namespace: 'bonding',
    args: [...keyArgs(['2026-11']), '--set', 'edge.globalPluginScope=ingress'],
  });

  describe('helm test reaches Kong the way clients do (Host, scheme)', () => {
    const testPod = (objects: K8sObject[]) => {
      const pod = ofKind(objects, 'Pod').find((object) => object.metadata.name === `${RELEASE}-test`);
      if (!pod) throw new Error('no helm test Pod rendered');
      return (pod.spec as PodSpec).containers[0] as Container;
    };

    it('sends edge.host and uses HTTPS wherever the Ingresses only match that host over HTTPS', () => {
      for (const objects of [defaults, production]) {
        const env = envOf(testPod(objects));
        const ingresses = ofKind(objects, 'Ingress');
        const hosts = new Set(
          ingresses.flatMap((ingress) =>
            ((spec(ingress).rules as { host?: string }[]) ?? []).map((rule) => rule.host ?? ''),
          ),
        );
        expect([...hosts]).toEqual([env.KONG_HOST ?? '']);
        const httpsOnly = ingresses.some(
          (ingress) => ingress.metadata.annotations?.['konghq.com/protocols'] === 'https',
        );
        expect(env.KONG_URL?.startsWith(httpsOnly ? 'https://' : 'http://'), env.KONG_URL).toBe(true);
      }
      expect(envOf(testPod(production))).toMatchObject({
        KONG_URL: 'https://edge-kong-proxy.kong.svc/.well-known/jwks.json',
        KONG_HOST: 'api.bonding.example',
      });
    });

    it("the test script's request carries the Host and SNI a host-and-TLS-only route needs", async () => {
      // A stand-in for Kong with the production shape: HTTPS only, and 404 unless Host is edge.host.
      const host = 'api.bonding.example';
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`],
          ...['-keyout', join(work, 'tls.key'), '-out', join(work, 'tls.crt')],
        ],
        { stdio: 'ignore' },
      );
      const seen: { host?: string; servername?: string }[] = [];
      const server = createHttpsServer(
        { key: readFileSync(join(work, 'tls.key')), cert: readFileSync(join(work, 'tls.crt')) },
        (request, response) => {
          const servername = (request.socket as { servername?: string }).servername;
          seen.push({ host: request.headers.host, servername });
          response.writeHead(request.headers.host === host && servername === host ? 200 : 404).end();
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const container = testPod(production);
      const run = (env: Record<string, string>) =>
        new Promise<number>((resolve) => {
          const child = spawn(container.command?.[0] as string, container.command?.slice(1) ?? [], {
            env: { PATH: process.env.PATH, CHECK_URLS: '', ...env },
            stdio: 'ignore',
          });
          child.on('exit', (code) => resolve(code ?? 1));
        });
      try {
        const url = `https://127.0.0.1:${port}/.well-known/jwks.json`;
        // The certificate is self-signed here, so only this run skips verification.
        expect(await run({ KONG_URL: url, KONG_HOST: host, KONG_TLS_VERIFY: 'false' })).toBe(0);
        expect(await run({ KONG_URL: url, KONG_HOST: '', KONG_TLS_VERIFY: 'false' })).toBe(1);
        expect(await run({ KONG_URL: url, KONG_HOST: host, KONG_TLS_VERIFY: 'true' })).toBe(1);
        expect(seen[0]).toEqual({ host, servername: host });
      } finally {
        server.close();
      }
    });
  });

  it('gives every pod, including MySQL, Redis, backups and the test, the image pull secrets', () => {
    const pods = production.map(podSpec).filter((pod): pod is PodSpec => pod !== undefined);
    expect(pods.length).toBeGreaterThan(10);
    for (const pod of pods) expect(pod.imagePullSecrets).toEqual([{ name: 'ghcr-pull' }]);
  });

  describe('releases sharing one Kong', () => {
    it('share no consumer username, custom_id, jwt credential key or cluster-scoped plugin name', () => {
      // Three releases: bonding/bonding, shop/bonding (same name), bonding/lending (same namespace).
      const renders = [defaults, neighbour, neighbourIngressScope].map(gatewayWideNames);
      for (const names of renders) expect(new Set(names).size).toBe(names.length);
      const all = renders.flat();
      expect(new Set(all).size).toBe(all.length);
    });

    it("key each jwt credential by the kid identity writes into tokens (JWT_KID_PREFIX + kid), which Kong's jwt plugin looks up", () => {
      for (const [objects, kids, scope] of [
        [defaults, ['2026-11'], 'bonding/bonding/'],
        [neighbour, collidingKids, 'shop/bonding/'],
      ] as const) {
        const identity = ofKind(objects, 'ConfigMap').find((map) => map.metadata.name.endsWith('-identity'));
        const prefix = (identity?.data as Record<string, string> | undefined)?.JWT_KID_PREFIX;
        expect(prefix).toBe(scope);
        const keys = ofKind(objects, 'Secret')
          .filter((secret) => secret.metadata.labels?.['konghq.com/credential'] === 'jwt')
          .map((secret) => (secret.stringData as { key: string }).key);
        expect(keys.sort()).toEqual(kids.map((kid) => `${prefix}${kid}`).sort());
      }
      const bearer = ofKind(defaults, 'KongPlugin').find((plugin) => plugin.plugin === 'jwt');
      expect((bearer?.config as { key_claim_name?: string } | undefined)?.key_claim_name).toBe('kid');
    });
  });

  it('renders kids that differ only by "_", ".", "-" or case into distinct credential Secrets', () => {
    const credentials = ofKind(neighbour, 'Secret').filter(
      (secret) => secret.metadata.labels?.['konghq.com/credential'] === 'jwt',
    );
    expect(new Set(credentials.map((secret) => secret.metadata.name)).size).toBe(collidingKids.length);
    const consumer = ofKind(neighbour, 'KongConsumer')[0] as K8sObject;
    expect((consumer.credentials as string[]).sort()).toEqual(
      credentials.map((secret) => secret.metadata.name).sort(),
    );
    for (const objects of [defaults, production, neighbour, neighbourIngressScope])
      expect(duplicates(objects)).toEqual([]);
  });

  it('fails the sign-in and account-security limits closed, in the chart and in kong.yml', () => {
    const closed = ['limit-sign-in', 'limit-account-security'];
    for (const objects of [defaults, production]) {
      for (const plugin of ofKind(objects, 'KongPlugin').filter((p) => p.plugin === 'rate-limiting')) {
        const tag = plugin.metadata.name.slice(`${RELEASE}-`.length);
        const config = plugin.config as { fault_tolerant?: boolean };
        if (closed.includes(tag)) expect(config.fault_tolerant, tag).toBe(false);
        else expect(config.fault_tolerant, tag).toBeUndefined();
      }
    }
    const kongYml = readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8');
    const tagged = (
      parse(kongYml) as { services: { routes?: { plugins?: { tags?: string[]; config?: object }[] }[] }[] }
    ).services
      .flatMap((service) => service.routes ?? [])
      .flatMap((route) => route.plugins ?? [])
      .filter((plugin) => closed.includes(plugin.tags?.[0] ?? ''));
    expect(tagged.length).toBeGreaterThanOrEqual(2);
    for (const plugin of tagged) expect(plugin.config).toMatchObject({ fault_tolerant: false });
  });

  describe('rollouts and pods', () => {
    it('keeps each service listening through a preStop sleep shorter than its grace period', () => {
      for (const deployment of ofKind(production, 'Deployment').filter(
        (d) => d.metadata.name !== `${RELEASE}-ratelimit-redis`,
      )) {
        const pod = podSpec(deployment) as PodSpec;
        const command = pod.containers[0]?.lifecycle?.preStop?.exec?.command ?? [];
        const sleep = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(command.join(' '))?.[1]);
        expect(sleep, deployment.metadata.name).toBeGreaterThan(0);
        expect(sleep / 1000).toBeLessThan(pod.terminationGracePeriodSeconds as number);
      }
    });

    it('creates MySQL root for localhost only, and gives backups a starting deadline', () => {
      const mysqls = ofKind(production, 'StatefulSet').filter((s) => s.metadata.name.endsWith('-mysql'));
      expect(mysqls.length).toBeGreaterThan(0);
      for (const statefulSet of mysqls)
        expect(envOf((podSpec(statefulSet) as PodSpec).containers[0] as Container).MYSQL_ROOT_HOST).toBe(
          'localhost',
        );
      const cronJobs = ofKind(production, 'CronJob');
      expect(cronJobs.length).toBeGreaterThan(0);
      for (const cronJob of cronJobs) expect(spec(cronJob).startingDeadlineSeconds).toBeGreaterThan(0);
    });

    it('pins third-party images to exact releases, and the examples invent no digests', () => {
      for (const objects of [defaults, production]) {
        const images = objects
          .map(podSpec)
          .flatMap((pod) => [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])])
          .map((container) => container.image)
          .filter((image) => !image.includes('/bonding-platform/'));
        expect(images.length).toBeGreaterThan(0);
        for (const image of images) expect(image).toMatch(/:\d+\.\d+\.\d+(-[\w.]+)?(@sha256:[a-f0-9]{64})?$/);
      }
      for (const file of ['production-values.yaml', 'all-services-values.yaml'])
        expect(readFileSync(join(chartDir, 'ci', file), 'utf8')).not.toMatch(/sha256:[a-f0-9]{64}/);
    });

    it('refuses a moving MySQL or Redis tag in values.schema.json', () => {
      for (const set of ['mysql.image.tag=8.4', 'redis.image.tag=7.4-alpine', 'mysql.image.tag=latest']) {
        expect(() =>
          execFileSync(helm as string, ['template', 'x', chartDir, '--set', set], { stdio: 'pipe' }),
        ).toThrow(/values don't meet the specifications of the schema/);
      }
    });
  });
});
