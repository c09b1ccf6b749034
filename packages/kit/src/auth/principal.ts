export const ROLES = ['admin', 'agent', 'student'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  userId: string;
  role: Role;
  tokenId: string;
  /** Refresh-token family (the sign-in session) the token was issued for. */
  sessionId: string | undefined;
  /** The `email_verified` claim: the user proved they read the account's e-mail. Absent means false. */
  emailVerified: boolean;
  /** Seconds since the epoch, from `iat` and `exp`. */
  issuedAt: number;
  expiresAt: number;
  /** The raw bearer token, for calls made on the user's behalf. */
  token: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    principal: Principal;
  }
}
