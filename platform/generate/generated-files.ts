// Every file generated from platform/shape.ts, the services' OpenAPI documents, their configuration
// schemas and the event contracts, with the function that writes each one's content.
import { renderChartShape } from './chart-shape.js';
import { renderKongYml } from './kong-yml.js';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  render: () => string | Promise<string>;
}

export const generatedFiles: GeneratedFile[] = [
  { path: 'kong/kong.yml', render: renderKongYml },
  { path: 'charts/bonding/platform-shape.yaml', render: renderChartShape },
];
