// The delivery files' conventions, checked offline (no Docker here): the Dockerfile, .dockerignore, k8s/,
// skaffold.yaml and the workflows agree with each other, with the chart and with the services — what no
// linter knows. scripts/lib/delivery-check.ts (run by `npm test` before vitest) adds hadolint, actionlint,
// the skaffold JSON schema, `bash -n` and kubeconform.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { serviceEntries } from '../lib/build-service.js';
import { dockerfileInstructions, imageRuntime, ref, stages } from '../lib/dockerfile.js';
import { repoRoot } from '../lib/paths.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const yamlOf = <T = Record<string, unknown>>(path: string) => parse(read(path)) as T;

/** Every services/<name> that runs (src/main.ts) and is deployed: all but the local gateway. */
const deployable = readdirSync(join(repoRoot, 'services'))
  .filter((name) => name !== 'gateway' && existsSync(join(repoRoot, 'services', name, 'src', 'main.ts')))
  .sort();
/** The services the Dockerfile accepts: DESIGN §1 plus the docs portal. */
const IMAGE_SERVICES = ['catalog', 'docs', 'identity', 'ledger', 'loans', 'notifications', 'students'];

describe('Dockerfile', () => {
  const instructions = dockerfileInstructions();
  const runtime = stages(instructions).at(-1) ?? [];

  it('builds from a pinned Node 24 slim base', () => {
    const arg = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    const image = arg?.args.slice('NODE_IMAGE='.length) ?? '';
    // An exact patch release (and a digest when one is given), never a floating tag such as 24 or latest.
    expect(image).toMatch(/^(docker\.io\/library\/)?node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
      expect(from.args).toMatch(/^\$\{NODE_IMAGE\} AS \w+$/);
    }
  });

  it('runs as the non-root user 10001 the chart expects, from the service folder', () => {
    const users = runtime.filter((i) => i.keyword === 'USER');
    expect(users.map((i) => i.args)).toEqual(['10001:10001']);
    const values = yamlOf<{ podSecurityContext: { runAsUser: number } }>('charts/bonding/values.yaml');
    expect(values.podSecurityContext.runAsUser).toBe(10001);
    expect(runtime.find((i) => i.keyword === 'WORKDIR')?.args).toBe(`/app/services/${ref('SERVICE')}`);
    // Code is owned by root: the service's user cannot change it, with or without a read-only root.
    expect(runtime.find((i) => i.keyword === 'COPY')?.args).toMatch(/--chown=root:root/);
  });

  it('installs from the lockfile and lays out /app with scripts/image-layout.sh, offline', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /pnpm install --frozen-lockfile/.test(r))).toBe(true);
    const layout = runs.find((r) => r.includes('scripts/image-layout.sh')) ?? '';
    expect(layout).toContain(`scripts/image-layout.sh "${ref('SERVICE')}" /out`);
    // The store the earlier layers filled (a cache mount), without the network.
    expect(layout).toMatch(/--mount=type=cache,id=bonding-pnpm-store,target=\/pnpm\/store/);
    expect(layout).toMatch(/IMAGE_LAYOUT_PNPM_FLAGS="--prefer-offline --store-dir \/pnpm\/store"/);
    expect(runtime.find((i) => i.keyword === 'COPY')?.args).toBe('--from=build --chown=root:root /out /app');
    // Production dependencies, hoisted (the bundle imports the kit's dependencies too), and the docs
    // portal's merged OpenAPI document.
    const script = read('scripts/image-layout.sh');
    expect(script).toMatch(/pnpm --filter "@bonding\/\$service" deploy --prod --config\.node-linker=hoisted/);
    expect(script).toMatch(/pnpm --filter @bonding\/docs run build "\$target\/dist\/openapi\.json"/);
    // The gateway is never deployed: the build refuses it.
    const guard = runs.find((r) => r.includes(`case "${ref('SERVICE')}"`)) ?? '';
    expect(guard).not.toMatch(/gateway/);
    for (const service of IMAGE_SERVICES) expect(guard).toContain(service);
  });

  it('sends the layout step everything it runs: .dockerignore keeps its files in the build context', () => {
    const kept = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1));
    // The script, the build CLI it runs and every module that imports, transitively.
    const needed = new Set(['scripts/image-layout.sh']);
    const pending = ['scripts/build-service.ts'];
    for (let file = pending.pop(); file; file = pending.pop()) {
      if (needed.has(file)) continue;
      needed.add(file);
      for (const [, specifier] of read(file).matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
        pending.push(join(file, '..', `${specifier}.ts`));
      }
    }
    expect(kept).toEqual(expect.arrayContaining([...needed]));
  });

  it('accepts every deployable service and runs its compiled build, with the tracing preload', () => {
    const guard = instructions.find((i) => i.args.includes(`case "${ref('SERVICE')}"`))?.args ?? '';
    // The tracing loader before the app; a no-op without OTEL_EXPORTER_OTLP_ENDPOINT.
    expect(imageRuntime(instructions).cmd).toEqual([
      'node',
      '--import',
      './dist/tracing.mjs',
      'dist/main.mjs',
    ]);
    const values = yamlOf<{
      serviceDefaults: { migrations: { command: string[]; enabled: boolean } };
      services: Record<string, { database?: { enabled?: boolean }; migrations?: { enabled?: boolean } }>;
    }>('charts/bonding/values.yaml');
    // The chart's init container, in the service's folder (the image's working directory).
    expect(values.serviceDefaults.migrations.command).toEqual(['node', 'dist/migrate.mjs']);
    for (const service of deployable) {
      expect(guard, service).toContain(service);
      const entries = serviceEntries(service);
      expect(Object.keys(entries), service).toEqual(expect.arrayContaining(['main', 'tracing']));
      const pkg = JSON.parse(read(`services/${service}/package.json`)) as { scripts: Record<string, string> };
      // The build compiles what `npm start` runs under tsx.
      const start = pkg.scripts.start?.split(/\s+/) ?? [];
      expect(start.slice(0, 3), service).toEqual(['node', '--import', 'tsx']);
      expect(start.at(-1), service).toBe('src/main.ts');
      const chart = values.services[service];
      const migrates =
        (chart?.database?.enabled ?? true) &&
        (chart?.migrations?.enabled ?? values.serviceDefaults.migrations.enabled);
      expect('migrate' in entries, `${service} has dist/migrate.mjs when the chart migrates it`).toBe(
        migrates,
      );
      // Each tool the service has locally (an npm script) is in its build, as the guides' pod commands say.
      for (const tool of ['migrate', 'dead-letters']) {
        expect(tool in entries, `${service}: ${tool}`).toBe(pkg.scripts[tool] !== undefined);
        if (pkg.scripts[tool]) expect(pkg.scripts[tool]).toBe(`node --import tsx src/${tool}.ts`);
      }
    }
    // Every compiled file the deployment and operations guides name is one the builds have.
    const built = new Set(deployable.flatMap((service) => Object.keys(serviceEntries(service))));
    const guides = ['docs/kubernetes.md', 'docs/operations.md'].map(read).join('\n');
    const named = [...guides.matchAll(/\bdist\/([\w-]+)\.mjs\b/g)].map(([, entry]) => entry);
    expect(named.length).toBeGreaterThan(0);
    for (const entry of named)
      expect(built.has(entry as string), `the guides name dist/${entry}.mjs`).toBe(true);
  });

  it('carries the OCI labels, from build arguments', () => {
    const labels = runtime
      .filter((i) => i.keyword === 'LABEL')
      .map((i) => i.args)
      .join(' ');
    for (const key of ['source', 'version', 'revision']) {
      const arg = key.toUpperCase();
      expect(labels).toContain(`org.opencontainers.image.${key}="${ref(arg)}"`);
      expect(runtime.some((i) => i.keyword === 'ARG' && i.args.startsWith(`${arg}=`))).toBe(true);
    }
  });

  it('puts no secrets into layers', () => {
    for (const i of instructions) {
      if (i.keyword === 'ENV' || i.keyword === 'ARG') {
        expect(i.args, `${i.keyword} ${i.args}`).not.toMatch(/(PASSWORD|SECRET|TOKEN|PRIVATE|_KEY)\b/i);
      }
      expect(i.keyword, 'ADD fetches or unpacks implicitly; COPY only').not.toBe('ADD');
      if (i.keyword === 'COPY') expect(i.args).not.toMatch(/\.(pem|key)\b|\.env\b|\.local\b/);
    }
    const ignored = read('.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', '.git', '.local', '.tools', '**/*.pem', '**/.env']) {
      expect(ignored).toContain(pattern);
    }
  });
});

describe('k8s/', () => {
  const values = yamlOf<{
    jwt: { existingSecret: string };
    kong: { proxyUrl: string; namespace: string };
    observability: { otlpEndpoint: string };
    networkPolicy: { otlpPort: number };
  }>('charts/bonding/values.yaml');

  it('parses: every YAML file, every document', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (/\.ya?ml$/.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    walk('k8s');
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      for (const doc of parseAllDocuments(read(file))) {
        expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
        expect(doc.warnings.map((e) => `${file}: ${e.message}`)).toEqual([]);
      }
    }
  });

  it("publishes Kong's proxy NodePort on the host through kind", () => {
    const kind = yamlOf<{ kind: string; nodes: { extraPortMappings?: { containerPort: number }[] }[] }>(
      'k8s/kind-config.yaml',
    );
    const kong = yamlOf<{
      proxy: { type: string; http: { nodePort: number } };
      env: Record<string, unknown>;
    }>('k8s/values/kong.yaml');
    expect(kind.kind).toBe('Cluster');
    expect(kong.proxy.type).toBe('NodePort');
    const mapped = kind.nodes.flatMap((n) => n.extraPortMappings ?? []).map((m) => m.containerPort);
    expect(mapped).toContain(kong.proxy.http.nodePort);
    expect(kong.env.database).toBe('off');
    expect(kong.env.router_flavor).toBe('traditional');
  });

  it('names what the chart expects: namespaces, Kong release, collector, key Secret', () => {
    const namespaces = parseAllDocuments(read('k8s/namespaces.yaml')).map(
      (doc) => (doc.toJS() as { metadata: { name: string } }).metadata.name,
    );
    expect(namespaces.sort()).toEqual(['bonding', 'kong', 'monitoring', 'observability']);
    const up = read('k8s/up.sh').replace(/\\\n\s*/g, ' ');
    // Kong's release `kong` in namespace `kong` makes the proxy Service kong-kong-proxy (kong.proxyUrl).
    expect(values.kong.proxyUrl).toBe(`http://kong-kong-proxy.${values.kong.namespace}.svc`);
    expect(up).toMatch(/helm upgrade --install kong kong\/kong .*--namespace kong/);
    const kind = yamlOf<{ observability: { otlpEndpoint: string } }>('k8s/values/bonding-kind.yaml');
    expect(kind.observability.otlpEndpoint).toBe(
      `http://opentelemetry-collector.observability.svc:${values.networkPolicy.otlpPort}`,
    );
    expect(up).toMatch(/helm upgrade --install opentelemetry-collector .*--namespace observability/);
    // The signing key Secret: the chart's name, made with the commands docs/kubernetes.md documents.
    expect(up).toContain(`secret generic ${values.jwt.existingSecret}`);
    const readme = read('docs/kubernetes.md');
    for (const command of [
      'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KID.pem"',
      'openssl pkey -in "$KID.pem" -pubout -out "$KID.pub"',
      'KID=$(date -u +%Y-%m)',
    ]) {
      expect(readme, command).toContain(command);
      expect(up, command).toContain(command);
    }
  });

  it('pins every chart it installs', () => {
    const up = read('k8s/up.sh').replace(/\\\n\s*/g, ' ');
    const installs = up.match(/helm upgrade --install \S+ [a-z-]+\/[a-z-]+[^\n]*/g) ?? [];
    expect(installs.length).toBe(3);
    for (const install of installs) expect(install).toMatch(/--version "\$[A-Z_]+_VERSION"/);
    for (const [, version] of up.matchAll(/^[A-Z_]+_VERSION=(\S+)/gm)) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(read('k8s/manifests/jaeger.yaml')).toMatch(/image: \S+:\d+\.\d+\.\d+\n/);
  });

  it("pins Kong's and the ingress controller's images to exact releases, not the chart's moving tags", () => {
    const kong = yamlOf<{
      image: { tag: string };
      ingressController: { image?: { repository?: string; tag?: string } };
    }>('k8s/values/kong.yaml');
    expect(kong.image.tag).toMatch(/^\d+\.\d+\.\d+$/);
    expect(kong.ingressController.image?.repository).toBe('kong/kubernetes-ingress-controller');
    expect(kong.ingressController.image?.tag).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('expands arrays so that set -u holds on bash before 4.4 (an empty array expansion is unbound there)', () => {
    const scripts = readdirSync(join(repoRoot, 'k8s')).filter((name) => name.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const name of scripts) {
      const text = read(`k8s/${name}`);
      // Every "${name[@]}" must sit inside its guard ${name[@]+"${name[@]}"}.
      const bare = [...text.matchAll(/(\$\{(\w+)\[@\]\+)?"\$\{(\w+)\[@\]\}"/g)].filter(
        (match) => match[2] !== match[3],
      );
      expect(
        bare.map((match) => `${name}: ${match[0]}`),
        'guard each array expansion as $' + '{a[@]+"$' + '{a[@]}"}',
      ).toEqual([]);
    }
  });
});

describe('skaffold.yaml', () => {
  const config = yamlOf<{
    apiVersion: string;
    build: {
      artifacts: { image: string; docker: { dockerfile: string; buildArgs: Record<string, string> } }[];
    };
    deploy: { helm: { releases: { chartPath: string; setValueTemplates: Record<string, string> }[] } };
    portForward: { resourceName: string; namespace: string }[];
    profiles: { name: string }[];
  }>('skaffold.yaml');

  it('builds every deployable service from the one Dockerfile', () => {
    expect(config.apiVersion).toBe('skaffold/v4beta14');
    const built = config.build.artifacts.map((a) => a.docker.buildArgs.SERVICE).sort();
    expect(built).toEqual(IMAGE_SERVICES);
    for (const service of deployable) expect(built).toContain(service);
    for (const artifact of config.build.artifacts) {
      expect(artifact.docker.dockerfile).toBe('Dockerfile');
      expect(artifact.image).toBe(`ghcr.io/bonding-platform/${artifact.docker.buildArgs.SERVICE}`);
    }
  });

  it('gives the chart each built image', () => {
    const [release] = config.deploy.helm.releases;
    expect(release?.chartPath).toBe('charts/bonding');
    for (const artifact of config.build.artifacts) {
      const service = artifact.docker.buildArgs.SERVICE;
      const key = artifact.image.replace(/[^A-Za-z0-9]/g, '_');
      expect(release?.setValueTemplates[`services.${service}.image.tag`]).toBe(`{{.IMAGE_TAG_${key}}}`);
      expect(release?.setValueTemplates[`services.${service}.image.repository`]).toBe(
        `{{.IMAGE_REPO_NO_DOMAIN_${key}}}`,
      );
    }
    expect(release?.setValueTemplates['tests.image.tag']).toBe(
      '{{.IMAGE_TAG_ghcr_io_bonding_platform_docs}}',
    );
  });

  it("port-forwards Kong's proxy and Grafana; has kind and CI profiles", () => {
    const forwarded = config.portForward.map((p) => `${p.namespace}/${p.resourceName}`);
    expect(forwarded).toContain('kong/kong-kong-proxy');
    expect(forwarded).toContain('monitoring/kube-prometheus-stack-grafana');
    expect(config.profiles.map((p) => p.name).sort()).toEqual(['ci', 'kind']);
  });
});

describe('GitHub Actions workflows', () => {
  const dir = join(repoRoot, '.github', 'workflows');
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));

  it('has CI, e2e and CD', () => {
    expect(files.sort()).toEqual(['cd.yml', 'ci.yml', 'e2e.yml']);
    expect(read('.github/workflows/ci.yml')).toMatch(/run: npm test/);
    expect(read('.github/workflows/e2e.yml')).toMatch(/k8s\/up\.sh/);
    expect(read('.github/workflows/cd.yml')).toMatch(/provenance: mode=max/);
  });

  it('pins every action by commit and declares least-privilege permissions', () => {
    for (const file of files) {
      const text = read(`.github/workflows/${file}`);
      for (const [, ref] of text.matchAll(/uses: ([^\s#]+)/g)) {
        expect(ref, `${file}: ${ref}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
      const workflow = parse(text) as {
        permissions?: Record<string, string>;
        concurrency?: unknown;
        jobs: Record<string, { permissions?: Record<string, string> }>;
      };
      expect(workflow.permissions, file).toEqual({ contents: 'read' });
      expect(workflow.concurrency, file).toBeDefined();
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const [scope, level] of Object.entries(job.permissions ?? {})) {
          // Write access only where something is published.
          if (level === 'write')
            expect(`${file}:${name}:${scope}`).toMatch(/^cd\.yml:(images|chart):packages$/);
        }
      }
    }
  });

  it("tests against the chart's exact MySQL release", () => {
    const chart = yamlOf<{ mysql: { image: { tag: string } } }>('charts/bonding/values.yaml');
    const ci = yamlOf<{ jobs: { test: { services: { mysql: { image: string } } } } }>(
      '.github/workflows/ci.yml',
    );
    expect(ci.jobs.test.services.mysql.image).toBe(`mysql:${chart.mysql.image.tag}`);
  });

  it('deploys one release at a time per environment, pulling the private OCI chart with credentials', () => {
    const cd = yamlOf<{
      jobs: Record<
        string,
        {
          environment?: string;
          concurrency?: { group: string; 'cancel-in-progress'?: boolean };
          permissions?: Record<string, string>;
          steps: { run?: string; env?: Record<string, string> }[];
        }
      >;
    }>('.github/workflows/cd.yml');
    const deploys = Object.values(cd.jobs).filter((job) => job.environment);
    expect(deploys.length).toBe(1);
    for (const job of deploys) {
      // Per environment, never per tag: two tags' deploys must queue, not overlap.
      expect(job.concurrency?.group).toBe(`deploy-${job.environment}`);
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
      expect(job.permissions).toEqual({ contents: 'read', packages: 'read' });
      const script = job.steps.map((step) => step.run ?? '').join('\n');
      const login = script.indexOf('helm registry login "$REGISTRY"');
      expect(login).toBeGreaterThanOrEqual(0);
      expect(login).toBeLessThan(script.indexOf('helm upgrade --install'));
      const token = job.steps.map((step) => step.env?.GITHUB_TOKEN).find(Boolean);
      expect(token).toMatch(/secrets\.GITHUB_TOKEN/);
    }
  });
});
