import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../services/gateway/test/edge.js';

/**
 * Every rate-limiting plugin in kong/kong.yml, by tag, raised far beyond what a fuzz run sends: the fuzz
 * tests probe the services and the edge's other plugins, and a 429 from a limit meant for people would
 * only hide what the generated requests reach. Read from kong.yml, so a limit added there is raised too.
 */
export function raisedRateLimits(): Record<string, Record<string, number>> {
  const config = parse(readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8')) as unknown;
  const tags = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const entity = value as Record<string, unknown>;
      if (entity.name === 'rate-limiting' && Array.isArray(entity.tags)) {
        for (const tag of entity.tags) tags.add(String(tag));
      }
      Object.values(entity).forEach(visit);
    }
  };
  visit(config);
  return Object.fromEntries([...tags].map((tag) => [tag, { second: 100_000, minute: 6_000_000 }]));
}
