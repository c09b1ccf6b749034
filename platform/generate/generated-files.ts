// Every file generated from platform/shape.ts, the services' OpenAPI documents, their configuration
// schemas and the event contracts, with the function that writes each one's content.
import { renderKeyedOperations, renderSdkSchema } from '../../packages/sdk/generate/sdk-files.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { renderApiReference } from './api-reference.js';
import { renderNatsPermissions } from './chart-nats.js';
import { renderChartShape } from './chart-shape.js';
import { renderConfigurationReference } from './configuration-reference.js';
import { renderEventsReference } from './events-reference.js';
import { renderKongYml } from './kong-yml.js';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  render: () => string | Promise<string>;
}

export const generatedFiles: GeneratedFile[] = [
  { path: 'kong/kong.yml', render: renderKongYml },
  { path: 'charts/bonding/platform-shape.yaml', render: renderChartShape },
  { path: 'charts/bonding/nats-permissions.yaml', render: renderNatsPermissions },
  { path: 'docs/reference/api.md', render: renderApiReference },
  { path: 'docs/reference/configuration.md', render: () => renderConfigurationReference(repoRoot) },
  { path: 'docs/reference/events.md', render: renderEventsReference },
  { path: 'packages/sdk/src/generated/schema.ts', render: renderSdkSchema },
  { path: 'packages/sdk/src/generated/keyed-operations.ts', render: renderKeyedOperations },
];
