import { mergeOpenApi, type ServiceDocument } from './merge.js';

/** Every service whose API is public, and how to get its document without running it. */
export const apiSources: { service: string; load: () => Promise<Record<string, unknown>> }[] = [
  { service: 'identity', load: async () => (await import('@bonding/identity/openapi')).openApiDocument() },
  { service: 'students', load: async () => (await import('@bonding/students/openapi')).openApiDocument() },
  { service: 'catalog', load: async () => (await import('@bonding/catalog/openapi')).openApiDocument() },
  { service: 'loans', load: async () => (await import('@bonding/loans/openapi')).openApiDocument() },
  {
    service: 'notifications',
    load: async () => (await import('@bonding/notifications/openapi')).openApiDocument(),
  },
  { service: 'ledger', load: async () => (await import('@bonding/ledger/openapi')).openApiDocument() },
];

export async function loadServiceDocuments(): Promise<ServiceDocument[]> {
  return Promise.all(apiSources.map(async ({ service, load }) => ({ service, document: await load() })));
}

export async function buildPlatformDocument() {
  return mergeOpenApi(await loadServiceDocuments(), {
    title: 'Bonding Platform API',
    version: '1',
    description:
      'Every public route of the platform, as served through the edge. Sign in with POST /api/v1/auth/login, ' +
      'then use Authorize with the accessToken to call protected routes. Errors are RFC 9457 problem+json; ' +
      'errors produced by the edge itself (401 without a token, 404 no route, 429) use Kong\'s {"message"} bodies.',
  });
}
