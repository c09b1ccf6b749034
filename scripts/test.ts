// `npm test`: database server, NATS server -> lint -> typecheck -> tests, stopping at the first failure.
// Tests get MYSQL_ADMIN_URL and create their own database(s) with it, and NATS_URL (a NATS server with
// JetStream; NATS_SERVER_BIN too, for tests that start a private one to stop and restart).
// Extra arguments go to vitest:  npm test -- services/identity
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkChart } from './lib/chart-check.js';
import { chartToolPaths } from './lib/chart-tools.js';
import { checkDelivery } from './lib/delivery-check.js';
import { ensureMysqlServer, SetupError } from './lib/mysql-server.js';
import { ensureNatsServer } from './lib/nats-server.js';
import { binDir, repoRoot } from './lib/paths.js';
import { exitCodeOf, exited, step, style } from './lib/processes.js';
import { ensurePrometheusTools } from './lib/prometheus-tools.js';

let current: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // Ctrl-C reaches the running tool directly; a SIGTERM sent to us only is passed on. Either way we
  // exit with the tool's exit code.
  process.on(signal, () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill(signal);
    else process.exit(130);
  });
}

async function run(title: string, bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  step(title);
  const started = Date.now();
  current = spawn(join(binDir, bin), args, { cwd: repoRoot, env, stdio: 'inherit' });
  const code = exitCodeOf(await exited(current));
  current = undefined;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    console.error(style.red(`\n✖ ${title} failed (exit code ${code}, ${seconds} s)`));
    process.exit(code);
  }
  console.log(style.green(`✔ ${title} (${seconds} s)`));
}

/**
 * Helm chart: installs helm, kubeconform and checkov when missing (cached in .tools/k8s) and builds decK
 * (.tools/deck), then lint, render and validate offline, and `deck file validate` the rendered kong.yml
 * (scripts/lib/chart-check.ts). Skipped when vitest is given paths that do
 * not include charts/. The chart tests then get the same helm (HELM), so they run rather than skip, and
 * promtool (PROMTOOL; `apt-get install prometheus` when missing) for the alert rule tests.
 */
async function chartStep(env: NodeJS.ProcessEnv): Promise<void> {
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  if (filters.length > 0 && !filters.some((arg) => arg.includes('chart'))) return;
  const title =
    'Helm chart: lint, kubeconform, checkov, deck file validate; promtool installed (charts/bonding)';
  step(title);
  const started = Date.now();
  try {
    await checkChart();
    env.PROMTOOL = ensurePrometheusTools().promtool;
  } catch (error) {
    console.error(style.red(`\n✖ ${title} failed: ${(error as Error).message}`));
    process.exit(1);
  }
  console.log(style.green(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`));
  env.HELM = chartToolPaths.helm;
}

/**
 * Delivery files: actionlint on the workflows, hadolint on the Dockerfile, skaffold.yaml against its schema,
 * `bash -n` on the scripts, the chart with k8s/'s values (scripts/lib/delivery-check.ts). Installs actionlint
 * and hadolint into .tools/k8s on first use. Skipped, like the chart step, when vitest is given paths that
 * include none of these.
 */
async function deliveryStep(): Promise<void> {
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const mine = ['delivery', 'k8s', 'skaffold', 'Dockerfile', '.github'];
  if (filters.length > 0 && !filters.some((arg) => mine.some((name) => arg.includes(name)))) return;
  const title = 'Delivery: actionlint, hadolint, skaffold schema, scripts, k8s values';
  step(title);
  const started = Date.now();
  try {
    await checkDelivery();
  } catch (error) {
    console.error(style.red(`\n✖ ${title} failed: ${(error as Error).message}`));
    process.exit(1);
  }
  console.log(style.green(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  step('Database server');
  const adminUrl = await ensureMysqlServer();
  step('NATS server (JetStream)');
  const natsUrl = await ensureNatsServer();
  const env = { ...process.env, MYSQL_ADMIN_URL: adminUrl, NATS_URL: natsUrl };

  await run('Lint: biome check .', 'biome', ['check', '--error-on-warnings', '.'], env);
  await run('Lint: generated files are fresh', 'tsx', ['scripts/generate.ts', '--check'], env);
  // Installs oasdiff into .tools/oasdiff on first use (scripts/lib/oasdiff-tool.ts). A lint step like the one
  // above, so it runs whatever paths vitest is given: it takes seconds, and routes change in every service.
  await run(
    'Lint: API contract is docs/api/openapi-v1.json (oasdiff breaking; CHANGELOG.md)',
    'tsx',
    ['scripts/api-snapshot.ts', '--check'],
    env,
  );
  await run('Typecheck: tsc -p tsconfig.json', 'tsc', ['-p', 'tsconfig.json'], env);
  await chartStep(env);
  await deliveryStep();
  await run(
    `Tests: vitest run ${process.argv.slice(2).join(' ')}`.trimEnd(),
    'vitest',
    ['run', ...process.argv.slice(2)],
    env,
  );
  console.log(style.green(`\n✔ all checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`));
}

main().catch((err: unknown) => {
  const message = err instanceof SetupError ? err.message : ((err as Error).stack ?? String(err));
  console.error(style.red(`\n✖ npm test failed: ${message}`));
  process.exit(1);
});
