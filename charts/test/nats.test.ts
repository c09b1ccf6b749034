// The NATS part of the chart (#24): the in-cluster JetStream cluster and what an installation relies on it
// for — 3 servers on their own volumes, a PDB, lame-duck shutdown; externalNats rendering no server; the
// NetworkPolicies; one user per service with exactly its own subjects and durables (from platform/shape.ts);
// no password in any ConfigMap; the provisioning hook Job; TLS on the client port and the routes.
import { describe, expect, it } from 'vitest';
import { secretReaders, services, subscriptions } from '../../platform/shape.js';
import { findHelm, renderChartWith } from './helm.js';
import type { K8sObject } from './kic.js';

const helm = findHelm();
const STREAM = 'BONDING_EVENTS';
const PRIVATE = 'BONDING_EVENTS_PRIVATE';

type Container = {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: Record<string, unknown>;
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
};
type PodSpec = {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
};
type Peer = { podSelector?: { matchLabels: Record<string, string> } } & Record<string, unknown>;
type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: number }[] };

const spec = (object: K8sObject) => (object as unknown as { spec: Record<string, unknown> }).spec;
const podSpecOf = (object: K8sObject) =>
  ((object.kind === 'Job' || object.kind === 'StatefulSet' || object.kind === 'Deployment'
    ? (spec(object).template as { spec: PodSpec }).spec
    : undefined) as PodSpec | undefined) ?? { containers: [] };
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map((env) => [env.name, env]));
const component = (peer: Peer) => peer.podSelector?.matchLabels['app.kubernetes.io/component'];

function render(args: string[] = []): K8sObject[] {
  return renderChartWith(helm as string, { args });
}

interface ConfUser {
  publish: string[];
  deny: string[];
  subscribe: string[];
  password: string;
}

/** Every user block of nats.conf: user name -> publish (allowed, denied) and subscribe subjects. */
function usersOf(conf: string): Record<string, ConfUser> {
  const users: Record<string, ConfUser> = {};
  const block =
    /user: "([^"]+)"\s+password: (\S+)\s+permissions: \{\s+publish: \{\s+allow: \[([^\]]*)\](?:\s+deny: \[([^\]]*)\])?\s+\}\s+subscribe: \{ allow: \[([^\]]*)\] \}/g;
  const list = (text = '') => [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1] as string);
  for (const match of conf.matchAll(block)) {
    users[match[1] as string] = {
      password: match[2] as string,
      publish: list(match[3]),
      deny: list(match[4]),
      subscribe: list(match[5]),
    };
  }
  return users;
}

const durables = (service: string, stream: string, infix = '') =>
  Array.from({ length: 16 }, (_, p) => `${stream}.${service}${infix}-p${String(p).padStart(2, '0')}`);

/** The secret types (one-time codes), written out independently of the contracts. */
const SECRET: Record<string, string[]> = {
  identity: ['user.emailVerificationRequested', 'user.passwordResetRequested', 'user.emailChangeRequested'],
  loans: ['loan.guarantorRequested'],
};

/** What a service may publish, written out independently of the generator. */
function expectedPublish(service: (typeof services)[number]): string[] {
  const own = 'produces' in service && service.produces.length > 0 ? [`bonding.${service.name}.>`] : [];
  const secret = (SECRET[service.name] ?? []).map((type) => `bonding_private.${service.name}.${type}.*`);
  const consumes = service.name in subscriptions ? durables(service.name, STREAM) : [];
  // Only notifications reads the private stream.
  if (service.name === 'notifications') consumes.push(...durables(service.name, PRIVATE, '-private'));
  const byStream = (verb: string) => [
    ...consumes.filter((d) => d.startsWith(`${STREAM}.`)).map((d) => `${verb}${d}`),
    ...consumes.filter((d) => d.startsWith(`${PRIVATE}.`)).map((d) => `${verb}${d}`),
  ];
  return [
    ...own,
    ...secret,
    ...byStream('$JS.API.CONSUMER.INFO.'),
    ...byStream('$JS.API.CONSUMER.MSG.NEXT.'),
    ...byStream('$JS.ACK.').map((subject) => `${subject}.>`),
  ];
}

describe.skipIf(!helm)('NATS in the chart', () => {
  const defaults = helm ? render() : [];
  const conf = () =>
    (named(defaults, 'ConfigMap', 'bonding-nats') as unknown as { data: Record<string, string> }).data[
      'nats.conf'
    ] as string;

  it('runs 3 servers with JetStream on their own PVCs, a PDB of one, and routes through the headless Service', () => {
    const statefulSet = named(defaults, 'StatefulSet', 'bonding-nats') as K8sObject;
    expect(spec(statefulSet).replicas).toBe(3);
    expect(spec(statefulSet).serviceName).toBe('bonding-nats-headless');
    const claims = spec(statefulSet).volumeClaimTemplates as {
      spec: { resources: { requests: { storage: string } } };
    }[];
    expect(claims).toHaveLength(1);
    expect(claims[0]?.spec.resources.requests.storage).toBe('10Gi');
    expect(spec(named(defaults, 'PodDisruptionBudget', 'bonding-nats') as K8sObject).maxUnavailable).toBe(1);
    expect(spec(named(defaults, 'Service', 'bonding-nats-headless') as K8sObject).clusterIP).toBe('None');
    expect(conf()).toContain('store_dir: "/data/jetstream"');
    for (const i of [0, 1, 2])
      expect(conf()).toContain(`"nats://bonding-nats-${i}.bonding-nats-headless.bonding.svc:6222"`);
  });

  it('shuts a server down in lame-duck mode within the grace period, hardened like every other pod', () => {
    const pod = podSpecOf(named(defaults, 'StatefulSet', 'bonding-nats') as K8sObject);
    const nats = pod.containers.find((container) => container.name === 'nats') as Container;
    const preStop = (nats.lifecycle?.preStop?.exec?.command ?? []).join(' ');
    expect(preStop).toContain('nats-server --signal ldm=/var/run/nats/nats.pid');
    const sleep = Number(/sleep (\d+)/.exec(preStop)?.[1]);
    expect(conf()).toContain('lame_duck_duration: "30s"');
    expect(sleep).toBe(40);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers.map((container) => container.name)).toEqual(['nats', 'exporter']);
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources?.limits).toBeDefined();
      expect(container.image).toMatch(/:\d+\.\d+\.\d+(-alpine)?$/);
    }
  });

  it('refuses a grace period the lame duck does not fit in', () => {
    expect(() => render(['--set', 'nats.terminationGracePeriodSeconds=40'])).toThrow(/must exceed/);
    // nats-server's own minimum lame duck (it refuses to start below it).
    expect(() => render(['--set', 'nats.lameDuckDurationSeconds=10'])).toThrow(/schema/);
  });

  it('gives each service a user that publishes only its own events and reads only its own durables', () => {
    const users = usersOf(conf());
    const withEvents = services.filter((service) => expectedPublish(service).length > 0);
    expect(Object.keys(users).sort()).toEqual(
      [...withEvents.map((service) => service.name), 'provisioner'].sort(),
    );
    for (const service of withEvents) {
      const user = users[service.name];
      expect(user?.publish.sort()).toEqual(expectedPublish(service).sort());
      // Replies on its own inbox prefix only: another service's pulled messages never reach it.
      expect(user?.subscribe).toEqual([`_INBOX_${service.name}.>`]);
      // A secret type on the main root is refused, so a code can never land in the week-long stream.
      expect(user?.deny).toEqual(
        (SECRET[service.name] ?? []).map((type) => `bonding.${service.name}.${type}.*`),
      );
      // Nothing of another service, and no right to manage streams or consumers or to fetch messages.
      for (const subject of user?.publish ?? []) {
        expect(subject.includes(`.${service.name}.`) || subject.includes(`.${service.name}-`)).toBe(true);
        expect(subject).not.toMatch(/^\$JS\.API\.(STREAM|DIRECT|CONSUMER\.(CREATE|DURABLE|DELETE))/);
        if (!secretReaders.includes(service.name as never)) expect(subject).not.toContain(PRIVATE);
      }
    }
    expect(users.provisioner).toMatchObject({ publish: ['$JS.API.>'], subscribe: ['_INBOX.>'] });
    // It manages the private stream but may not fetch its messages by itself.
    expect(users.provisioner?.deny).toEqual([
      `$JS.API.DIRECT.GET.${PRIVATE}`,
      `$JS.API.DIRECT.GET.${PRIVATE}.>`,
      `$JS.API.STREAM.MSG.GET.${PRIVATE}`,
      `$JS.API.CONSUMER.MSG.NEXT.${PRIVATE}.>`,
    ]);
  });

  it('keeps every password out of ConfigMaps: the config names environment variables the users Secret fills', () => {
    const secret = named(defaults, 'Secret', 'bonding-nats-users') as unknown as {
      data: Record<string, string>;
    };
    const passwords = Object.values(secret.data).map((value) => Buffer.from(value, 'base64').toString());
    expect(passwords.length).toBe(Object.keys(usersOf(conf())).length);
    for (const [name, user] of Object.entries(usersOf(conf())))
      expect(user.password).toBe(`$NATS_PASSWORD_${name.toUpperCase()}`);
    for (const configMap of defaults.filter((object) => object.kind === 'ConfigMap')) {
      const text = JSON.stringify((configMap as unknown as { data?: unknown }).data ?? {});
      for (const password of passwords) expect(text).not.toContain(password);
    }
    const nats = podSpecOf(named(defaults, 'StatefulSet', 'bonding-nats') as K8sObject)
      .containers[0] as Container;
    expect(envOf(nats).NATS_PASSWORD_IDENTITY?.valueFrom?.secretKeyRef).toEqual({
      name: 'bonding-nats-users',
      key: 'identity',
    });
  });

  it('lets only the platform pods, the Job and Prometheus in, and only NATS pods onto the route port', () => {
    const policy = spec(named(defaults, 'NetworkPolicy', 'bonding-nats') as K8sObject);
    const ingress = policy.ingress as Rule[];
    const byPort = (port: number) => ingress.filter((rule) => rule.ports?.some((p) => p.port === port));
    const clients = byPort(4222).flatMap((rule) => (rule.from ?? []).map(component));
    const users = Object.keys(usersOf(conf())).filter((name) => name !== 'provisioner');
    expect(clients.sort()).toEqual([...users, 'nats-provision'].sort());
    expect(byPort(6222).flatMap((rule) => (rule.from ?? []).map(component))).toEqual(['nats']);
    expect(byPort(7777).flatMap((rule) => rule.from ?? [])).toHaveLength(1);
    expect(byPort(8222)).toHaveLength(0);
    // And each such service may leave for the client port; docs (no events) may not.
    for (const name of users) {
      const egress = spec(named(defaults, 'NetworkPolicy', `bonding-${name}`) as K8sObject).egress as Rule[];
      expect(egress.some((rule) => rule.ports?.some((p) => p.port === 4222))).toBe(true);
    }
    const docs = spec(named(defaults, 'NetworkPolicy', 'bonding-docs') as K8sObject).egress as Rule[];
    expect(docs.some((rule) => rule.ports?.some((p) => p.port === 4222))).toBe(false);
  });

  it('gives the services NATS_URL and their own user, password from the Secret', () => {
    for (const name of ['identity', 'notifications']) {
      const container = podSpecOf(named(defaults, 'Deployment', `bonding-${name}`) as K8sObject)
        .containers[0] as Container;
      const env = envOf(container);
      expect(env.NATS_URL?.value).toBe('nats://bonding-nats.bonding.svc:4222');
      expect(env.NATS_USER?.value).toBe(name);
      expect(env.NATS_PASSWORD?.valueFrom?.secretKeyRef).toEqual({ name: 'bonding-nats-users', key: name });
    }
    const docs = podSpecOf(named(defaults, 'Deployment', 'bonding-docs') as K8sObject)
      .containers[0] as Container;
    expect(envOf(docs).NATS_URL).toBeUndefined();
  });

  it('provisions the stream in a post-install/post-upgrade hook Job as the provisioner user', () => {
    const job = named(defaults, 'Job', 'bonding-nats-provision') as K8sObject;
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('post-install,post-upgrade');
    expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toBe(
      'before-hook-creation,hook-succeeded',
    );
    const container = podSpecOf(job).containers[0] as Container;
    expect(container.command).toEqual(['node', 'dist/nats-provision.mjs']);
    expect(container.args).toEqual(['--replicas', '3']);
    const shortLived = podSpecOf(
      named(
        render(['--set', 'nats.stream.privateMaxAgeMinutes=20']),
        'Job',
        'bonding-nats-provision',
      ) as K8sObject,
    ).containers[0] as Container;
    expect(shortLived.args).toEqual(['--replicas', '3', '--private-max-age-minutes', '20']);
    expect(envOf(container).NATS_USER?.value).toBe('provisioner');
    expect(envOf(container).NATS_PASSWORD?.valueFrom?.secretKeyRef?.key).toBe('provisioner');
  });

  describe('with TLS', () => {
    const tls = helm
      ? render([
          '--set',
          'nats.tls.enabled=true',
          '--set',
          'nats.tls.existingSecret=nats-tls',
          '--set',
          'nats.provision.enabled=true',
        ])
      : [];
    const confOf = (objects: K8sObject[]) =>
      (named(objects, 'ConfigMap', 'bonding-nats') as unknown as { data: Record<string, string> }).data[
        'nats.conf'
      ] as string;
    const clusterBlock = (text: string) => /\ncluster \{[\s\S]*?\n\}/.exec(text)?.[0] ?? '';
    const statefulSet = (objects: K8sObject[]) =>
      spec(named(objects, 'StatefulSet', 'bonding-nats') as K8sObject) as {
        template: {
          spec: {
            containers: { volumeMounts?: { name: string; mountPath: string }[] }[];
            volumes: { name: string; secret?: { secretName: string } }[];
          };
        };
      };

    it('encrypts and mutually verifies the routes between the servers with the same certificate', () => {
      const cluster = clusterBlock(confOf(tls));
      expect(cluster).toMatch(
        /tls \{\s+cert_file: "\/etc\/nats-tls\/tls\.crt"\s+key_file: "\/etc\/nats-tls\/tls\.key"\s+ca_file: "\/etc\/nats-tls\/ca\.crt"\s+verify: true/,
      );
      // Without TLS the routes stay plain (inside the NetworkPolicy) and nothing is mounted.
      expect(clusterBlock(conf())).not.toContain('tls {');
      expect(clusterBlock(conf())).toContain('routes: [');
    });

    it('takes the route certificate from a Secret of its own when nats.tls.cluster.existingSecret is set', () => {
      const own = render([
        '--set',
        'nats.tls.enabled=true',
        '--set',
        'nats.tls.existingSecret=nats-tls',
        '--set',
        'nats.tls.cluster.existingSecret=nats-routes-tls',
      ]);
      expect(clusterBlock(confOf(own))).toContain('cert_file: "/etc/nats-cluster-tls/tls.crt"');
      expect(clusterBlock(confOf(own))).toContain('ca_file: "/etc/nats-cluster-tls/ca.crt"');
      // The clients' certificate stays where it was.
      expect(confOf(own).replace(clusterBlock(confOf(own)), '')).toContain(
        'cert_file: "/etc/nats-tls/tls.crt"',
      );
      const pod = statefulSet(own).template.spec;
      expect(pod.volumes.find((v) => v.name === 'cluster-tls')?.secret?.secretName).toBe('nats-routes-tls');
      expect(pod.containers[0]?.volumeMounts).toContainEqual(
        expect.objectContaining({ name: 'cluster-tls', mountPath: '/etc/nats-cluster-tls' }),
      );
      expect(statefulSet(tls).template.spec.volumes.map((v) => v.name)).not.toContain('cluster-tls');
      expect(() => render(['--set', 'nats.tls.cluster.unknown=x'])).toThrow(/schema/);
    });

    it('requires TLS of clients and hands the services and the Job its CA', () => {
      const nats = tls.find(
        (object) => object.kind === 'ConfigMap' && object.metadata.name === 'bonding-nats',
      );
      expect(JSON.stringify(nats)).toContain('cert_file');
      const identity = podSpecOf(named(tls, 'Deployment', 'bonding-identity') as K8sObject)
        .containers[0] as Container;
      expect(envOf(identity).NATS_URL?.value).toBe('tls://bonding-nats.bonding.svc:4222');
      expect(envOf(identity).NATS_TLS_CA_FILE?.value).toBe('/etc/bonding/nats-tls/ca.crt');
      const job = podSpecOf(named(tls, 'Job', 'bonding-nats-provision') as K8sObject)
        .containers[0] as Container;
      expect(envOf(job).NODE_EXTRA_CA_CERTS?.value).toBe('/etc/bonding/nats-tls/ca.crt');
    });
  });

  describe('with externalNats', () => {
    const external = helm
      ? render([
          '--set',
          'externalNats.enabled=true',
          '--set',
          'externalNats.url=tls://nats.example.internal:4222',
          '--set',
          'externalNats.existingSecret=nats-passwords',
          '--set',
          'nats.provision.enabled=true',
        ])
      : [];
    it('renders no NATS server and points the services and the Job at the operator’s', () => {
      expect(
        external.filter(
          (object) =>
            object.metadata.name.startsWith('bonding-nats') &&
            object.kind !== 'Job' &&
            object.kind !== 'NetworkPolicy',
        ),
      ).toEqual([]);
      expect(
        external.some((object) => object.kind === 'StatefulSet' && object.metadata.name === 'bonding-nats'),
      ).toBe(false);
      const identity = podSpecOf(named(external, 'Deployment', 'bonding-identity') as K8sObject)
        .containers[0] as Container;
      expect(envOf(identity).NATS_URL?.value).toBe('tls://nats.example.internal:4222');
      expect(envOf(identity).NATS_PASSWORD?.valueFrom?.secretKeyRef).toEqual({
        name: 'nats-passwords',
        key: 'identity',
      });
      const job = podSpecOf(named(external, 'Job', 'bonding-nats-provision') as K8sObject)
        .containers[0] as Container;
      expect(envOf(job).NATS_URL?.value).toBe('tls://nats.example.internal:4222');
    });
    it('needs the URL and the Secret', () => {
      expect(() => render(['--set', 'externalNats.enabled=true'])).toThrow(/schema/);
    });
  });

  it('scrapes the exporter sidecars through the headless Service when ServiceMonitors are on', () => {
    const monitored = render(['--set', 'observability.serviceMonitors.enabled=true']);
    const monitor = spec(named(monitored, 'ServiceMonitor', 'bonding-nats') as K8sObject);
    const [endpoint] = monitor.endpoints as { port: string; relabelings: { regex: string }[] }[];
    expect(endpoint?.port).toBe('metrics');
    expect(endpoint?.relabelings[0]?.regex).toBe('bonding-nats-headless');
    const headless = spec(named(monitored, 'Service', 'bonding-nats-headless') as K8sObject);
    expect((headless.ports as { name: string; port: number }[]).map((port) => port.name)).toContain(
      'metrics',
    );
  });

  it('renders no hook Job, and no NetworkPolicy peer for it, with nats.provision.enabled=false', () => {
    const plain = render(['--set', 'nats.provision.enabled=false']);
    expect(plain.some((object) => object.kind === 'Job')).toBe(false);
    const ingress = spec(named(plain, 'NetworkPolicy', 'bonding-nats') as K8sObject).ingress as Rule[];
    expect(ingress.flatMap((rule) => (rule.from ?? []).map(component))).not.toContain('nats-provision');
  });

  it('renders no NATS at all with nats.enabled=false', () => {
    const none = render(['--set', 'nats.enabled=false']);
    expect(none.filter((object) => object.metadata.name.startsWith('bonding-nats'))).toEqual([]);
    const identity = podSpecOf(named(none, 'Deployment', 'bonding-identity') as K8sObject)
      .containers[0] as Container;
    expect(envOf(identity).NATS_URL).toBeUndefined();
  });
});
