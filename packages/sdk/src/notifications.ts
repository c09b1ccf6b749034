// The notifications stream as an async iterator. The stream ends by design (the access token it was opened
// with expiring, a deploy): the iterator opens it again with the last sequence seen, through the transport,
// so a refused token is renewed and nothing is missed. It ends when the caller stops iterating or `signal`
// aborts, and throws ApiProblem when the stream cannot be opened (signed out, session ended).
import type { Client } from 'openapi-fetch';
import type { components, paths } from './generated/schema.js';
import { ApiProblem, toProblem } from './problem.js';
import { sseFrames } from './sse.js';

export type Notification = components['schemas']['Notification'];

export interface StreamOptions {
  /** The highest `sequence` already seen: the stream starts after it (default: only new ones). */
  lastEventId?: string;
  signal?: AbortSignal;
}

export async function* notificationStream(
  api: Client<paths>,
  options: StreamOptions = {},
): AsyncGenerator<Notification> {
  let lastEventId = options.lastEventId;
  for (let opening = 0; !options.signal?.aborted; opening++) {
    // A pause before reopening, so a stream that keeps ending at once is not reopened in a busy loop.
    if (opening > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    const opened = await api.GET('/api/v1/notifications/stream', {
      params: { header: lastEventId === undefined ? {} : { 'last-event-id': lastEventId } },
      parseAs: 'stream',
      signal: options.signal,
    });
    if (!opened.response.ok || !opened.response.body) {
      const body = await opened.response.json().catch(() => undefined);
      throw new ApiProblem(toProblem(opened.response.status, body));
    }
    try {
      for await (const frame of sseFrames(opened.response.body)) {
        if (frame.event !== 'notification') continue;
        if (frame.id !== undefined) lastEventId = frame.id;
        yield JSON.parse(frame.data) as Notification;
      }
    } catch (error) {
      // Aborting (the caller's signal) ends the iteration; any other break in the stream reopens it.
      if (options.signal?.aborted) return;
      if (!(error instanceof TypeError)) throw error;
    }
  }
}
