import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventData } from '@bonding/contracts';
import { getRequestListener } from '@hono/node-server';
import { bodyLimit } from 'hono/body-limit';
import type { UserRevocationList } from '../auth/denylist.js';
import { DomainError, NotFound } from '../errors.js';
import { problemResponse, toDomainError } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { refuseDisabledUser, refuseEndedSessions } from './denylist-events.js';
import { type ReceiveEventsOptions, receiveEventsRoute } from './receive-events.js';

export interface DenylistInboxOptions extends ReceiveEventsOptions {
  revocations: UserRevocationList;
}

/** A delivery carries at most 500 session ids; this leaves ample room and bounds what an unsigned caller sends. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `POST /internal/events` for a process that keeps a token denylist but has no database (the local
 * gateway), as a Node request listener: the checks every service's inbox makes, then user.disabled and
 * session.ended straight into memory. Without an inbox table a redelivery is applied again, which changes
 * nothing (a user's revocation keeps its latest moment, a session its first end). Nothing is persisted: a
 * restarted process refuses only what arrives after its start.
 */
export function createDenylistInbox(
  options: DenylistInboxOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { revocations, logger } = options;
  const app = createRouter();
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new DomainError(413, 'payload_too_large', 'Content Too Large', {
          detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
        });
      },
    }),
  );
  app.route(
    '/internal',
    receiveEventsRoute(options, {
      keys: ['user.disabled@1', 'session.ended@1'],
      async apply({ key, data }) {
        if (key === 'user.disabled@1') refuseDisabledUser(revocations, data as EventData<'user.disabled@1'>);
        else refuseEndedSessions(revocations, data as EventData<'session.ended@1'>);
        return 'processed';
      },
    }),
  );
  app.onError((error, c) => {
    const problem = toDomainError(error);
    if (problem.status >= 500) logger.error({ err: problem.cause ?? error }, 'event delivery failed');
    return problemResponse(c, problem);
  });
  app.notFound((c) =>
    problemResponse(c, new NotFound('route_not_found', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  // The globals stay Node's own: this listener shares its process with the gateway's proxy.
  return getRequestListener(app.fetch, { overrideGlobalObjects: false });
}
