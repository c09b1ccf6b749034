import type { IncomingMessage } from 'node:http';
import type { Consumer, Credential, Route, Service } from './declarative/model.js';
import type { EdgeResponse } from './kong-response.js';

/** Everything one request carries through the plugin phases and the proxy. */
export interface RequestContext {
  request: IncomingMessage;
  method: string;
  /** The normalised path the router matched against. */
  path: string;
  /** The raw query string, with its leading `?`, or ''. */
  query: string;
  /** Kong's `$kong_request_id`: 32 lower-case hex characters. */
  kongRequestId: string;
  clientIp: string;
  startedAt: number;
  route: Route | undefined;
  service: Service | undefined;
  consumer: Consumer | undefined;
  credential: Credential | undefined;
  /** Headers sent upstream (lower-case names); plugins edit them in the access phase. */
  upstreamHeaders: Record<string, string | string[]>;
  /** Headers a plugin adds to whatever response the client gets (rate-limit headers). */
  responseHeaders: Record<string, string>;
  /** Set once the response is known: who produced it and its status. */
  source: 'kong' | 'service';
  status: number;
  upstreamLatencyMs: number | undefined;
  bytesIn: number;
  bytesOut: number;
  /** The request body when a plugin had to read it (chunked bodies under a size limit). */
  bufferedBody: Buffer | undefined;
}

export interface PluginHandler {
  name: string;
  priority: number;
  /** May answer the request itself (401, 413, 429, a preflight): later access handlers are skipped. */
  access?(ctx: RequestContext): EdgeResponse | undefined | Promise<EdgeResponse | undefined>;
  /** Edits the headers of the response about to be sent, whoever produced it. */
  headerFilter?(ctx: RequestContext, headers: Record<string, string | string[]>): void;
  log?(ctx: RequestContext): void;
}
