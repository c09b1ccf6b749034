import { NotificationSchema } from '../src/routes/schemas.js';
import { ExpiredDataSchema, StreamEventSchema } from '../src/stream/stream-events.js';

/**
 * Every event frame must be what the document says (StreamEventSchema, the route's documented event
 * schema), with data that parses as the schema its event names: a frame that is not throws, failing the
 * test that reads it.
 */
function assertDocumented(frame: SseFrame): void {
  const event = StreamEventSchema.parse({ event: frame.event, id: frame.id, data: frame.data });
  const data = JSON.parse(event.data);
  if (event.event === 'notification') NotificationSchema.parse(data);
  else ExpiredDataSchema.parse(data);
}

/** A minimal server-sent events reader for tests: frames as the EventSource parser would see them. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  /** Comment lines (`: heartbeat`). */
  comments: string[];
}

export function readSse(body: ReadableStream<Uint8Array> | null) {
  if (!body) throw new Error('the response has no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const frames: SseFrame[] = [];

  function parse(block: string): SseFrame {
    const frame: SseFrame = { comments: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
        if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
      }
    }
    return frame;
  }

  async function pull(deadline: number): Promise<boolean> {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || ended) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), remaining);
    });
    const result = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') return false;
    if (result.done) {
      ended = true;
      return false;
    }
    buffer += decoder.decode(result.value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const frame = parse(buffer.slice(0, end));
      if (frame.data !== undefined) assertDocumented(frame);
      frames.push(frame);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
    return true;
  }

  return {
    /** Every frame read so far, comments included. */
    frames,
    get ended() {
      return ended;
    },
    /** The next frame that matches (by default, any event with data), waiting at most `timeoutMs`. */
    async next(
      match: (frame: SseFrame) => boolean = (frame) => frame.event !== undefined,
      timeoutMs = 5_000,
    ): Promise<SseFrame> {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < frames.length; seen++) {
          const frame = frames[seen] as SseFrame;
          if (match(frame)) {
            frames.splice(seen, 1);
            return frame;
          }
        }
        if (!(await pull(deadline))) {
          throw new Error(
            ended
              ? 'the stream ended before a matching frame arrived'
              : `no matching frame in ${timeoutMs} ms`,
          );
        }
      }
    },
    /** Reads until the stream ends; true if it did within `timeoutMs`. */
    async waitForEnd(timeoutMs = 5_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) await pull(deadline);
      return ended;
    },
    async close() {
      await reader.cancel().catch(() => undefined);
    },
  };
}

export type SseReader = ReturnType<typeof readSse>;

/** The notification a `notification` frame carries. */
export function notificationOf(frame: SseFrame): any {
  return JSON.parse(frame.data ?? 'null');
}
