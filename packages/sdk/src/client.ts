// createBondingClient: openapi-fetch typed by the generated schema, through the transport (token, renewal,
// retries), with an Idempotency-Key added to every operation the document keys.
import createClient, { type Middleware } from 'openapi-fetch';
import { keyedOperations } from './generated/keyed-operations.js';
import type { paths } from './generated/schema.js';
import { notificationStream, type StreamOptions } from './notifications.js';
import { ok } from './problem.js';
import { Session, type Tokens } from './session.js';
import { type RetryOptions, transport } from './transport.js';

export interface BondingClientOptions {
  /** The edge's origin, e.g. http://localhost:8000 (operation paths carry /api/v1). */
  baseUrl: string;
  /** The fetch to send with (default globalThis.fetch). */
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

/** A fresh key unless the caller gave one, for operations that replay on a repeated key. */
const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (!keyedOperations.has(`${request.method} ${schemaPath}`)) return undefined;
    if (request.headers.has('idempotency-key')) return undefined;
    request.headers.set('idempotency-key', crypto.randomUUID());
    return request;
  },
};

export function createBondingClient(options: BondingClientOptions) {
  const send = options.fetch ?? globalThis.fetch;
  // Renewal goes straight to `send`, not through the transport: a refused refresh must not renew itself.
  const session = new Session(async (refreshToken) => {
    const response = await send(
      new Request(new URL('/api/v1/auth/refresh', options.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      }),
    ).catch(() => undefined);
    if (response?.ok) return (await response.json()) as Tokens;
    await response?.body?.cancel();
    // Identity's refusals (400, 401, 403) end the session; anything else (the edge's 502 while identity is
    // down, its 429) leaves the tokens for a later try.
    return response && [400, 401, 403].includes(response.status) ? 'ended' : 'unavailable';
  });
  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: transport(send, session, options.retry),
  });
  api.use(idempotencyKeys);

  return {
    /** Every operation, typed: `api.GET('/api/v1/loans/{id}', { params: { path: { id } } })`. */
    api,
    /** The session's tokens (to keep them across restarts), or undefined when signed out. */
    get tokens(): Tokens | undefined {
      return session.tokens;
    },
    /** Resumes a session whose tokens were kept. */
    useTokens(tokens: Tokens | undefined) {
      session.set(tokens);
    },
    /**
     * Signs in with a password; later calls carry the access token and renew it when it is refused. An
     * account with two-factor sign-in answers 202 with a challenge (no tokens): that answer is returned.
     */
    async signIn(email: string, password: string) {
      const answer = await ok(api.POST('/api/v1/auth/login', { body: { email, password } }));
      if ('accessToken' in answer) session.set(answer);
      return answer;
    },
    /** The signed-in user's notifications as they come, reopening the stream when it ends. */
    notifications(stream?: StreamOptions) {
      return notificationStream(api, stream);
    },
    /** Ends the session everywhere and forgets its tokens. */
    async signOut() {
      if (!session.tokens) return;
      await ok(api.POST('/api/v1/auth/logout'));
      session.set(undefined);
    },
  };
}

export type BondingClient = ReturnType<typeof createBondingClient>;
