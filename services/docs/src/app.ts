import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServiceApp, type Logger, type ServiceMetrics } from '@bonding/kit';
import { portalPage, portalScript } from './portal-page.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** Serves the merged document at /openapi.json and the interactive reference at /docs. */
export function createDocsApp(options: { document: unknown; logger: Logger; metrics: ServiceMetrics }) {
  const service = createServiceApp({
    name: 'docs',
    version: '0.1.0',
    description: 'The API reference portal.',
    logger: options.logger,
    metrics: options.metrics,
    serveOpenApi: false,
  });
  const { app } = service;
  const documentJson = JSON.stringify(options.document);
  const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(assetDir, name))]));

  app.get('/openapi.json', (c) => {
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(documentJson);
  });
  app.get('/docs', (c) => c.html(portalPage));
  app.get('/docs/assets/portal.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(portalScript);
  });
  app.get('/docs/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets.get(name);
    if (!body) return c.notFound();
    c.header('Content-Type', ASSETS[name] as string);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(body);
  });
  return service;
}
