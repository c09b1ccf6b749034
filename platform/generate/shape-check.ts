// Holds the declaration to the services' OpenAPI documents before anything is generated from it: every
// operation must fall into a route group of its own service (as the edge's router decides, from the
// generated kong.yml), the edge must check a token exactly where the operation requires only a bearer
// token, and no group of a documented service may go unused. So a route outside every group, or one whose
// security its group contradicts, fails `npm run lint` with what to change, not only the parity tests.
import { loadServiceDocuments } from '../../services/docs/src/sources.js';
import { loadDeclarativeConfig } from '../../services/gateway/src/declarative/load.js';
import { createRouter } from '../../services/gateway/src/router/router.js';
import { routeGroups } from '../shape.js';
import type { RouteGroup } from '../shape-types.js';
import { renderKongYml } from './kong-yml.js';

type Paths = Record<string, Record<string, { security?: Record<string, unknown>[] }>>;

/** A concrete path for an OpenAPI template, as a client would send it. */
const concretePath = (template: string) =>
  template.replace(/\{[^}]+\}/g, '01900000-0000-7000-8000-000000000000');

export async function shapeProblems(): Promise<string[]> {
  const router = createRouter(loadDeclarativeConfig(renderKongYml()).routes);
  const groups = new Map((routeGroups as readonly RouteGroup[]).map((group) => [group.name, group]));
  const problems: string[] = [];
  const used = new Set<string>();
  const documents = await loadServiceDocuments();
  for (const { service, document } of documents) {
    for (const [path, item] of Object.entries(document.paths as Paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const label = `${method.toUpperCase()} ${path} (${service})`;
        const group = groups.get(router.match(method.toUpperCase(), concretePath(path))?.route.name ?? '');
        if (!group) {
          problems.push(
            `${label}: no route group in platform/shape.ts routes it (add its prefix to a group)`,
          );
          continue;
        }
        used.add(group.name);
        if (group.service !== service)
          problems.push(`${label}: routed to ${group.name}, a group of ${group.service}`);
        const requirements = operation.security ?? [];
        const bearerOnly =
          requirements.length > 0 && requirements.every((requirement) => 'bearerAuth' in requirement);
        const edgeChecksToken = group.auth === 'bearer' || group.auth === 'role';
        if (bearerOnly !== edgeChecksToken)
          problems.push(
            `${label}: ${bearerOnly ? 'needs a bearer token' : 'does not require only a bearer token'}, but its group ${group.name} is ${group.auth}`,
          );
      }
    }
  }
  const documented = new Set(documents.map((entry) => entry.service));
  for (const group of groups.values())
    if (documented.has(group.service) && !used.has(group.name))
      problems.push(`route group ${group.name}: no operation of ${group.service} falls into it`);
  return problems;
}
