import { randomUUID } from 'node:crypto';
import { tagSpanWithRequestId } from '@bonding/kit';
import type { PluginHandler, RequestContext } from '../context.js';
import type { CorrelationIdConfig } from './schemas.js';

/** Keeps an incoming id, else makes one; sets it upstream and, with echo_downstream, on the response. */
export function correlationId(config: CorrelationIdConfig, priority: number): PluginHandler {
  const header = config.header_name.toLowerCase();
  const workerId = randomUUID();
  let counter = 0;
  const generate = () => {
    switch (config.generator) {
      case 'uuid':
        return randomUUID();
      case 'uuid#counter':
        counter += 1;
        return `${workerId}#${counter}`;
      case 'tracker':
        return `${process.pid}-${Date.now()}-${randomUUID().slice(0, 8)}`;
    }
  };
  const currentId = (ctx: RequestContext) => {
    const current = ctx.upstreamHeaders[header];
    return typeof current === 'string' && current !== '' ? current : undefined;
  };
  return {
    name: 'correlation-id',
    priority,
    access(ctx) {
      const id = currentId(ctx) ?? generate();
      ctx.upstreamHeaders[header] = id;
      // The edge's span carries the id the services log and tag theirs with.
      tagSpanWithRequestId(id);
      return undefined;
    },
    headerFilter(ctx, headers) {
      if (!config.echo_downstream) return;
      // A request refused before the access phase (no route) still gets an id.
      headers[config.header_name] = currentId(ctx) ?? generate();
    },
  };
}
