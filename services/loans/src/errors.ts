import { Conflict, NotFound } from '@bonding/kit';
import type { LoanStatus } from './domain/loan-states.js';

export const loanNotFound = (id?: string) =>
  new NotFound('loan_not_found', id ? `There is no loan ${id} you may see.` : 'No such loan.');

/** A move the state machine does not allow from where the loan is (409). */
export const invalidTransition = (status: LoanStatus, action: string) =>
  new Conflict('invalid_transition', `A loan in status ${status} cannot ${action}.`, {
    extensions: { status },
  });

export { Unprocessable } from '@bonding/kit';
