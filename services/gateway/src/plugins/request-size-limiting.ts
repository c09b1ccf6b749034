import type { PluginHandler, RequestContext } from '../context.js';
import { type EdgeResponse, errorResponse } from '../kong-response.js';
import type { RequestSizeLimitingConfig } from './schemas.js';

const UNIT_BYTES = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 } as const;

/** Reads a body of unknown length, stopping as soon as it passes `limit`. */
async function readUpTo(ctx: RequestContext, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** 413 (or 417 with Expect: 100-continue) over the limit; 411 without a length when required. */
export function requestSizeLimiting(config: RequestSizeLimitingConfig, priority: number): PluginHandler {
  const limit = config.allowed_payload_size * UNIT_BYTES[config.size_unit];
  const tooLarge = (ctx: RequestContext): EdgeResponse => {
    const status = String(ctx.request.headers.expect).toLowerCase() === '100-continue' ? 417 : 413;
    return errorResponse(
      status,
      'Request size limit exceeded',
      ctx.kongRequestId,
      ctx.request.headers.accept,
    );
  };
  return {
    name: 'request-size-limiting',
    priority,
    async access(ctx) {
      const length = ctx.request.headers['content-length'];
      if (length !== undefined && /^\d+$/.test(length)) {
        return Number(length) > limit ? tooLarge(ctx) : undefined;
      }
      const chunked = /chunked/i.test(String(ctx.request.headers['transfer-encoding'] ?? ''));
      if (!chunked) {
        if (!config.require_content_length) return undefined;
        return errorResponse(
          411,
          'A valid Content-Length header is required',
          ctx.kongRequestId,
          ctx.request.headers.accept,
        );
      }
      const body = await readUpTo(ctx, limit);
      if (body === 'too_large') return tooLarge(ctx);
      ctx.bufferedBody = body;
      return undefined;
    },
  };
}
