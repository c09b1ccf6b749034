import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** Keys already given in OTEL_RESOURCE_ATTRIBUTES (`key=value,key=value`, values percent-encoded). */
function givenKeys(attributes: string | undefined): Set<string> {
  return new Set(
    (attributes ?? '')
      .split(',')
      .map((pair) => pair.split('=')[0]?.trim() ?? '')
      .filter((key) => key !== ''),
  );
}

function readPackage(dir: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Fills in the resource attributes every span should carry — `service.name`,
 * `service.version`, `deployment.environment.name` — where the environment
 * left them out, through the standard OTEL_* variables the SDK reads. A
 * service runs from its own folder (locally and in the image), so its
 * package.json names it; SERVICE_VERSION (the image's build version) beats
 * the package's, and NODE_ENV names the environment. Anything an operator sets
 * in OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES wins.
 */
export function describeServiceInEnv(env: Env = process.env, dir = process.cwd()): void {
  const pkg = readPackage(dir);
  const given = givenKeys(env.OTEL_RESOURCE_ATTRIBUTES);
  if (!env.OTEL_SERVICE_NAME && !given.has('service.name') && pkg.name) {
    env.OTEL_SERVICE_NAME = pkg.name.replace(/^@[^/]+\//, '');
  }
  const defaults: Record<string, string | undefined> = {
    'service.version': env.SERVICE_VERSION || pkg.version,
    'deployment.environment.name': env.NODE_ENV || 'development',
  };
  const added = Object.entries(defaults)
    .filter((entry): entry is [string, string] => !given.has(entry[0]) && Boolean(entry[1]))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  if (added.length === 0) return;
  env.OTEL_RESOURCE_ATTRIBUTES = [env.OTEL_RESOURCE_ATTRIBUTES, ...added].filter(Boolean).join(',');
}
