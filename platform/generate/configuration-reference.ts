// Writes docs/reference/configuration.md from each service's zod configuration schema (names, types,
// limits, defaults) and the comments beside each setting in the schema's source (descriptions). Settings
// every backend service shares with the same default are listed once.
import { catalogConfigSchema } from '../../services/catalog/src/config.js';
import { gatewayConfigSchema } from '../../services/gateway/src/config.js';
import { identityConfigSchema } from '../../services/identity/src/config.js';
import { ledgerConfigSchema } from '../../services/ledger/src/config.js';
import { loansConfigSchema } from '../../services/loans/src/config.js';
import { notificationsConfigSchema } from '../../services/notifications/src/config.js';
import { studentsConfigSchema } from '../../services/students/src/config.js';
import { settingComments } from './config-comments.js';
import { cell, type JsonSchema, schemaLimits, schemaType } from './json-schema-text.js';
import { byCodeUnit } from './order.js';

interface ConfigSchema {
  shape?: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>;
  toJSONSchema(options: object): { properties?: Record<string, JsonSchema> };
  _zod?: { def: { in?: ConfigSchema; innerType?: ConfigSchema } };
}

/** The object schema under a schema that post-processes it (`.transform`, `.pipe`). */
function objectOf(schema: ConfigSchema): ConfigSchema {
  if (schema.shape) return schema;
  const inner = schema._zod?.def.in ?? schema._zod?.def.innerType;
  if (!inner) throw new Error('a configuration schema without an object of settings');
  return objectOf(inner);
}

/** The shared shapes each service spreads into its schema, where the shared settings are described. */
const SHARED_SOURCES = [
  'packages/kit/src/config.ts',
  'packages/kit/src/events/config.ts',
  'packages/kit/src/internal/config.ts',
  'packages/kit/src/idempotency/config.ts',
];

const configs: { service: string; schema: ConfigSchema; source: string }[] = [
  { service: 'identity', schema: identityConfigSchema as never, source: 'services/identity/src/config.ts' },
  { service: 'students', schema: studentsConfigSchema as never, source: 'services/students/src/config.ts' },
  { service: 'catalog', schema: catalogConfigSchema as never, source: 'services/catalog/src/config.ts' },
  { service: 'loans', schema: loansConfigSchema as never, source: 'services/loans/src/config.ts' },
  { service: 'ledger', schema: ledgerConfigSchema as never, source: 'services/ledger/src/config.ts' },
  {
    service: 'notifications',
    schema: notificationsConfigSchema as never,
    source: 'services/notifications/src/config.ts',
  },
  { service: 'gateway', schema: gatewayConfigSchema as never, source: 'services/gateway/src/config.ts' },
];

interface Setting {
  name: string;
  type: string;
  limits: string;
  default: string;
  description: string;
}

function defaultText(schema: ConfigSchema, name: string, json: JsonSchema): string {
  if (json.default !== undefined) return json.default === '' ? '(empty)' : `\`${String(json.default)}\``;
  const parsed = schema.shape?.[name]?.safeParse(undefined);
  if (!parsed?.success) return '**required**';
  if (parsed.data === undefined) return '(unset)';
  return typeof parsed.data === 'object' ? '(empty)' : `\`${String(parsed.data)}\``;
}

function settingsOf(entry: (typeof configs)[number], repoRoot: string): Setting[] {
  const comments = settingComments(repoRoot, [entry.source, ...SHARED_SOURCES]);
  const schema = objectOf(entry.schema);
  const properties = schema.toJSONSchema({ io: 'input', unrepresentable: 'any' }).properties ?? {};
  return Object.keys(schema.shape ?? {})
    .sort(byCodeUnit)
    .map((name) => {
      const json = properties[name] ?? {};
      const fallback = schema.shape?.[name]?.safeParse(undefined);
      const isBoolean = fallback?.success && typeof fallback.data === 'boolean';
      return {
        name,
        type: isBoolean ? 'boolean' : schemaType(json),
        limits: schemaLimits(json),
        default: defaultText(schema, name, json),
        description: comments.get(name) ?? '',
      };
    });
}

const row = (setting: Setting) =>
  `| \`${setting.name}\` | ${cell(setting.type)} | ${cell(setting.limits)} | ${setting.default} | ${cell(setting.description)} |`;
const HEAD = ['| variable | type | limits | default | description |', '| --- | --- | --- | --- | --- |'];

export function renderConfigurationReference(repoRoot: string): string {
  const all = configs.map((entry) => ({ service: entry.service, settings: settingsOf(entry, repoRoot) }));
  const backends = all.filter((entry) => entry.service !== 'gateway');
  const key = (setting: Setting) => `${setting.name}=${setting.default}`;
  const shared = (backends[0]?.settings ?? []).filter((setting) =>
    backends.every((entry) => entry.settings.some((other) => key(other) === key(setting))),
  );
  const sharedKeys = new Set(shared.map(key));
  const lines = [
    '# Configuration reference',
    '',
    "> GENERATED from the services' zod configuration schemas (`services/*/src/config.ts`, `packages/kit`) by `npm run generate`: do not edit by hand.",
    '',
    'Every service reads its settings from the environment and refuses to start, naming each bad variable,',
    'when one is invalid. `npm start` sets what a local run needs; in Kubernetes the chart sets them from',
    '`values.yaml` (a ConfigMap, and Secrets for secrets). Descriptions are the comments beside each setting',
    'in its schema. The docs service reads only `HOST`, `PORT` (3010), `LOG_LEVEL` and `OPENAPI_FILE`.',
    '',
    'Tracing is read by `@bonding/kit/tracing` before the schema, from the standard OpenTelemetry variables:',
    '`OTEL_EXPORTER_OTLP_ENDPOINT` (an OTLP/HTTP collector; unset: tracing off) and `OTEL_TRACES_SAMPLER`',
    '(default parent-based, 10 %).',
    '',
    '## Every backend service',
    '',
    ...HEAD,
    ...shared.map(row),
    '',
  ];
  for (const entry of all) {
    const own = entry.settings.filter((setting) => !sharedKeys.has(key(setting)));
    lines.push(`## ${entry.service}`, '', ...HEAD, ...own.map(row), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
