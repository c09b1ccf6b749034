// Writes docs/reference/api.md from the merged OpenAPI document (services/docs builds the same one the
// portal serves) and the route groups of platform/shape.ts: every public operation with who may call it,
// the edge's route group and rate limit, its parameters, body and answers, then every schema's fields.
import { buildPlatformDocument } from '../../services/docs/src/sources.js';
import { services as declaredServices, rateLimits, routeGroups } from '../shape.js';
import type { RouteGroup } from '../shape-types.js';
import { cell, type JsonSchema, refName, schemaLimits, schemaType } from './json-schema-text.js';
import { byCodeUnit } from './order.js';
import { routeGroupOf } from './route-groups.js';

interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, unknown>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string }>;
  'x-service'?: string;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, Parameter> };
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete', 'head'];

function whoMayCall(operation: Operation): string {
  const requirements = operation.security ?? [];
  if (requirements.length === 0) return 'anyone';
  return requirements.map((requirement) => Object.keys(requirement).join(' + ')).join(' or ');
}

function edgeText(group: RouteGroup | undefined): string {
  if (!group) return 'not routed';
  if (group.rateLimit === 'per-user') return `\`${group.name}\`, per-user limit`;
  const windows = Object.entries(rateLimits[group.rateLimit])
    .map(([window, limit]) => `${limit}/${window}`)
    .join(', ');
  return `\`${group.name}\`, \`limit-${group.rateLimit}\` (${windows} per address)`;
}

const anchor = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

function renderOperation(document: Document, method: string, path: string, operation: Operation): string[] {
  const verb = method.toUpperCase();
  const lines = [`### \`${verb} ${path}\``, ''];
  if (operation.summary) lines.push(operation.summary, '');
  if (operation.description) lines.push(operation.description.trim(), '');
  lines.push(`- Token: ${whoMayCall(operation)}`, `- Edge: ${edgeText(routeGroupOf(verb, path))}`);
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) lines.push(`- Body${operation.requestBody?.required ? '' : ' (optional)'}: ${schemaType(body)}`);
  lines.push('');
  const parameters = (operation.parameters ?? []).map((parameter) =>
    parameter.$ref ? (document.components?.parameters?.[refName(parameter.$ref)] as Parameter) : parameter,
  );
  if (parameters.length > 0) {
    lines.push('| parameter | in | type | required | description |', '| --- | --- | --- | --- | --- |');
    for (const parameter of parameters)
      lines.push(
        `| \`${parameter.name}\` | ${parameter.in} | ${cell(schemaType(parameter.schema ?? {}))} | ${parameter.required ? 'yes' : 'no'} | ${cell(parameter.description ?? '')} |`,
      );
    lines.push('');
  }
  const answers = Object.entries(operation.responses ?? {}).sort(([a], [b]) => byCodeUnit(a, b));
  if (answers.length > 0) {
    lines.push('| answer | meaning |', '| --- | --- |');
    for (const [status, response] of answers)
      lines.push(`| ${status} | ${cell(response.description ?? '')} |`);
    lines.push('');
  }
  return lines;
}

function renderSchema(name: string, schema: JsonSchema): string[] {
  const lines = [`### ${name}`, ''];
  if (schema.description) lines.push(cell(schema.description), '');
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return [...lines, `${schemaType(schema)}`, ''];
  lines.push('| field | type | required | limits | description |', '| --- | --- | --- | --- | --- |');
  for (const [field, property] of properties)
    lines.push(
      `| \`${field}\` | ${cell(schemaType(property))} | ${schema.required?.includes(field) ? 'yes' : 'no'} | ${cell(schemaLimits(property))} | ${cell(property.description ?? '')} |`,
    );
  return [...lines, ''];
}

/** The edge's route groups (platform/shape.ts): the one place a new group is declared. */
function renderRouteGroups(): string[] {
  const lines = [
    '## Route groups',
    '',
    "How the edge routes and guards the operations below (`platform/shape.ts`). A route under a group's path",
    'prefix with one of its methods belongs to it; `~` paths are regular expressions.',
    '',
    '| group | service | paths | methods | auth | rate limit |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const group of routeGroups as readonly RouteGroup[]) {
    const paths = group.paths.map((path) => `\`${cell(path)}\``).join(', ');
    const auth = `${group.auth}${group.roles ? ` (${group.roles.join(', ')})` : ''}`;
    const limit = edgeText(group).replace(/^`[^`]+`, /, '');
    lines.push(
      `| \`${group.name}\` | ${group.service} | ${paths} | ${group.methods.join(', ')} | ${auth} | ${limit} |`,
    );
  }
  return [...lines, ''];
}

export async function renderApiReference(): Promise<string> {
  const document = (await buildPlatformDocument()) as unknown as Document;
  const byService = new Map<string, { method: string; path: string; operation: Operation }[]>();
  for (const path of Object.keys(document.paths).sort(byCodeUnit)) {
    const item = document.paths[path] ?? {};
    for (const method of METHOD_ORDER.filter((candidate) => item[candidate])) {
      const operation = item[method] as Operation;
      const service = operation['x-service'] ?? operation.tags?.[0] ?? 'other';
      byService.set(service, [...(byService.get(service) ?? []), { method, path, operation }]);
    }
  }
  const declaredOrder = declaredServices.map((service) => service.name as string);
  const services = [...byService.keys()].sort((a, b) => declaredOrder.indexOf(a) - declaredOrder.indexOf(b));
  const lines = [
    '# API reference',
    '',
    "> GENERATED from the services' OpenAPI documents and platform/shape.ts by `npm run generate`: do not edit by hand.",
    '',
    'Every public operation, as called through the edge (<http://localhost:8000> locally, Kong in Kubernetes).',
    '**Token** names the security schemes that admit a caller (`bearerAuth`: `Authorization: Bearer <accessToken>`);',
    'the roles a route admits are in its summary. **Edge** is the route group of `platform/shape.ts` that routes it',
    'and the rate limit that counts it. The interactive version is the portal at `/docs`; the document itself is',
    '`/openapi.json`.',
    '',
    '| service | operations |',
    '| --- | --- |',
    ...services.map(
      (service) => `| [${service}](#${anchor(service)}) | ${byService.get(service)?.length ?? 0} |`,
    ),
    '',
    ...renderRouteGroups(),
  ];
  for (const service of services) {
    lines.push(`## ${service}`, '', '| route | summary | token |', '| --- | --- | --- |');
    for (const { method, path, operation } of byService.get(service) ?? [])
      lines.push(
        `| [\`${method.toUpperCase()} ${path}\`](#${anchor(`${method} ${path}`)}) | ${cell(operation.summary ?? '')} | ${whoMayCall(operation)} |`,
      );
    lines.push('');
    for (const { method, path, operation } of byService.get(service) ?? [])
      lines.push(...renderOperation(document, method, path, operation));
  }
  lines.push('## Schemas', '');
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas).sort(byCodeUnit))
    lines.push(...renderSchema(name, schemas[name] as JsonSchema));
  return `${lines.join('\n').trimEnd()}\n`;
}
