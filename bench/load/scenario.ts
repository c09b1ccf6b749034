// What one load run does (sent by the orchestrator to a load-generator process) and what it measured.

/** A signed-in student: their access token and their wallet. */
export interface Caller {
  userId: string;
  token: string;
  accountId: string;
}

/** Access tokens the service has never seen, signed with the bench's own key (see mint-tokens.ts). */
export interface MintSpec {
  keyFile: string;
  kid: string;
  issuer: string;
  audience: string;
  subject: string;
  role: 'student' | 'agent' | 'admin';
  /** More than the services' verified-token cache holds, so that every request verifies a signature. */
  count: number;
}

export type LoadPlan =
  /** GET with no token, or with a random caller's token per request. */
  | { kind: 'get'; path: string; callers?: Caller[] }
  /** POST /auth/login as a random caller. */
  | { kind: 'login'; path: string; credentials: { email: string; password: string }[] }
  /** POST /transfers from a random caller's wallet to another random wallet, each with a new key. */
  | { kind: 'transfer'; path: string; callers: Caller[]; currency: string }
  /** GET with a token never used before on every request: the signature is verified each time. */
  | { kind: 'get-fresh-tokens'; path: string; mint: MintSpec }
  /**
   * Writers racing on one student's list (guardians): each connection adds an entry (a third of them as
   * the new primary), then removes the oldest entry any connection added (file-entry-writes.ts).
   */
  | { kind: 'file-entry-writes'; path: string; token: string; entry: Record<string, unknown> };

export interface LoadScenario {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  plan: LoadPlan;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts, plus responses with another status than the one expected. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Peak RSS of the load generator itself, MB. */
  generatorPeakMB: number;
}

/** The statuses a request of the plan may answer without it counting as an error. */
export function expectedStatuses(plan: LoadPlan): number[] {
  switch (plan.kind) {
    case 'transfer':
      return [201];
    // 409: the list is full (it holds at most 10); 404: another writer removed that entry first.
    case 'file-entry-writes':
      return [201, 204, 404, 409];
    default:
      return [200];
  }
}
