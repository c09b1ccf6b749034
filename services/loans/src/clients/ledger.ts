import { DomainError, signedFetch } from '@bonding/kit';
import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { dependencyUnavailable } from './dependency.js';

export interface RepaymentOrder {
  repaymentId: string;
  loanId: string;
  studentId: string;
  amount: bigint;
  currency: string;
}

const CreatedSchema = z.object({ id: z.uuid() });
const ProblemSchema = z.object({ code: z.string(), detail: z.string().optional() });

/** Refusals the student can act on (top up, unfreeze), passed on with the ledger's own code. */
const PASSED_ON = new Set([409, 422]);

/**
 * Moves a repayment from the student's wallet to the funding account through
 * the ledger's signed `POST /internal/transfers`, keyed by the repayment id: a
 * retry after a lost answer replays the same transfer instead of moving money
 * twice. Returns the transfer id; a refusal is thrown as a 4xx, an unreachable
 * ledger as 503.
 */
export async function collectRepayment(
  deps: Pick<LoansDeps, 'config'>,
  order: RepaymentOrder,
): Promise<string> {
  const { config } = deps;
  const secret = config.INTERNAL_PEER_SECRETS.ledger;
  if (!secret) throw dependencyUnavailable('ledger', new Error('no ledger= secret in INTERNAL_PEER_SECRETS'));
  let response: Response;
  try {
    response = await signedFetch(new URL('/internal/transfers', config.LEDGER_URL), {
      method: 'POST',
      secret,
      headers: { 'Idempotency-Key': order.repaymentId },
      // A string body keeps the amount exact: JSON.stringify cannot write a bigint.
      body: `{"kind":"repayment","userId":"${order.studentId}","loanId":"${order.loanId}","amount":${order.amount},"currency":"${order.currency}"}`,
      timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
      retries: config.DEPENDENCY_RETRIES,
    });
  } catch (error) {
    throw dependencyUnavailable('ledger', error);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 201) {
    const created = CreatedSchema.safeParse(body);
    if (created.success) return created.data.id;
  }
  const problem = ProblemSchema.safeParse(body);
  if (response.status === 404 && problem.success) {
    throw new DomainError(422, 'wallet_not_found', 'Unprocessable Content', {
      detail: `You have no ${order.currency} wallet to repay from.`,
    });
  }
  if (PASSED_ON.has(response.status) && problem.success && !problem.data.code.startsWith('idempotency_')) {
    throw new DomainError(
      response.status,
      problem.data.code,
      response.status === 409 ? 'Conflict' : 'Unprocessable Content',
      {
        ...(problem.data.detail ? { detail: problem.data.detail } : {}),
      },
    );
  }
  throw dependencyUnavailable('ledger', new Error(`ledger answered ${response.status}`));
}
