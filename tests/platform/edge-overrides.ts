import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

/**
 * Changes fields of Kong services in a rendered kong.yml, e.g. `{ catalog: { read_timeout: 1000 } }`:
 * a test of the edge's timeouts then waits seconds, not the production read timeout times its retries.
 */
export function overrideEdgeServices(
  configFile: string,
  overrides: Record<string, Record<string, number>>,
): void {
  const config = parse(readFileSync(configFile, 'utf8')) as { services: Array<Record<string, unknown>> };
  for (const [name, fields] of Object.entries(overrides)) {
    const service = config.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`kong.yml has no service ${name}`);
    Object.assign(service, fields);
  }
  writeFileSync(configFile, stringify(config, { lineWidth: 0, aliasDuplicateObjects: false }));
}
