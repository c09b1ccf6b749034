import { createLogger, createServiceMetrics } from '@bonding/kit';
import { describe, expect, it } from 'vitest';
import { createDocsApp } from '../src/app.js';
import { MergeConflict, mergeOpenApi } from '../src/merge.js';
import { buildPlatformDocument } from '../src/sources.js';

const info = { title: 't', version: '1', description: 'd' };

describe('the merged OpenAPI document', () => {
  it('holds every service operation, tagged with its service, and the bearer scheme', async () => {
    const document = await buildPlatformDocument();
    expect(document.openapi).toBe('3.1.0');
    const login = (document.paths['/api/v1/auth/login'] as Record<string, Record<string, unknown>>).post;
    expect(login?.['x-service']).toBe('identity');
    expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('refuses two services claiming the same operation', () => {
    const doc = { paths: { '/x': { get: { responses: {} } } } };
    expect(() =>
      mergeOpenApi(
        [
          { service: 'a', document: doc },
          { service: 'b', document: doc },
        ],
        info,
      ),
    ).toThrow(MergeConflict);
  });

  it('refuses a shared schema name with different definitions', () => {
    const a = { components: { schemas: { Thing: { type: 'string' } } } };
    const b = { components: { schemas: { Thing: { type: 'number' } } } };
    expect(() =>
      mergeOpenApi(
        [
          { service: 'a', document: a },
          { service: 'b', document: b },
        ],
        info,
      ),
    ).toThrow(/Thing/);
  });
});

describe('the portal', () => {
  const { app } = createDocsApp({
    document: { openapi: '3.1.0', paths: { '/api/v1/ping': {} } },
    logger: createLogger({ service: 'docs', level: 'silent' }),
    metrics: createServiceMetrics('docs'),
  });

  it('serves the interactive reference at /docs with its assets from the package, not a CDN', async () => {
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await app.request('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await app.request('/docs/assets/portal.js')).status).toBe(200);
    expect((await app.request('/docs/assets/nope.js')).status).toBe(404);
  });

  it('serves the merged document at /openapi.json', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ openapi: '3.1.0', paths: { '/api/v1/ping': {} } });
  });
});
