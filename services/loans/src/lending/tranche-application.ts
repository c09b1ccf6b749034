import { BadRequest, DomainError } from '@bonding/kit';
import type { Product } from '../clients/catalog.js';
import { fetchInstitution } from '../clients/institutions.js';
import type { LoansDeps } from '../deps.js';
import { type PlannedTranche, planProblems, planTotal } from '../domain/lending/tranche-plan.js';
import { minorUnits } from '../domain/money.js';
import { Unprocessable } from '../errors.js';

/** What an application says about the money and where it goes. */
export interface PlanRequest {
  principal?: number | undefined;
  academicYear: string;
  institutionId?: string | undefined;
  programme?: string | undefined;
  tranches?: { termLabel: string; plannedDate: string; tuition: number; upkeep: number }[] | undefined;
}

export interface LoanPlan {
  principal: bigint;
  /** `single`: no plan given, one upkeep tranche released at approval; `tranches`: released term by term. */
  method: 'single' | 'tranches';
  tranches: PlannedTranche[];
  institutionId: string | null;
  programme: string | null;
}

/**
 * The tranche plan of a new loan (docs/lending-model.md, "Tranches"). Without `tranches`, today's contract:
 * one tranche of the whole principal, all upkeep, planned at approval. With them, the product must have
 * study terms, the programme is named, tuition needs a live institution, and the principal is the plan's
 * total. Everything is checked before anything is written.
 */
export async function planOf(
  deps: Pick<LoansDeps, 'config'>,
  request: PlanRequest,
  product: Pick<Product, 'category' | 'interestDuringStudy'>,
  today: string,
  token: string,
): Promise<LoanPlan> {
  const institutionId = request.institutionId ?? null;
  const programme = request.programme ?? null;
  if (institutionId) await checkInstitution(deps, institutionId, token);
  if (!request.tranches) {
    if (request.principal === undefined) {
      throw new BadRequest('validation_failed', 'Give the principal, or a tranche plan.', {
        errors: [{ field: 'body.principal', message: 'required without tranches', code: 'required' }],
      });
    }
    const principal = minorUnits(request.principal);
    return {
      principal,
      method: 'single',
      tranches: [{ termLabel: request.academicYear, plannedDate: today, tuition: 0n, upkeep: principal }],
      institutionId,
      programme,
    };
  }
  if (product.interestDuringStudy === null) {
    throw new Unprocessable(
      'tranches_need_study_terms',
      'A tranche plan needs a product with study terms (repayment after studies).',
      'body.tranches',
    );
  }
  if (!programme) {
    throw new Unprocessable(
      'programme_required',
      'Name the programme the tranches pay for.',
      'body.programme',
    );
  }
  const tranches = request.tranches.map((tranche) => ({
    termLabel: tranche.termLabel,
    plannedDate: tranche.plannedDate,
    tuition: minorUnits(tranche.tuition),
    upkeep: minorUnits(tranche.upkeep),
  }));
  const problems = planProblems(tranches, {
    businessDate: today,
    category: product.category,
    hasInstitution: institutionId !== null,
  });
  if (problems.length > 0) {
    throw new DomainError(422, 'invalid_tranche_plan', 'Unprocessable Content', {
      detail: 'The tranche plan cannot be taken; see errors[].',
      errors: problems,
    });
  }
  const principal = planTotal(tranches);
  if (request.principal !== undefined && minorUnits(request.principal) !== principal) {
    throw new Unprocessable(
      'principal_not_plan_total',
      `With tranches the principal is their total, ${principal}; leave it out or make it match.`,
      'body.principal',
    );
  }
  return { principal, method: 'tranches', tranches, institutionId, programme };
}

async function checkInstitution(deps: Pick<LoansDeps, 'config'>, id: string, token: string) {
  const institution = await fetchInstitution(deps, id, token);
  if (!institution) {
    throw new Unprocessable('institution_not_found', 'There is no such institution.', 'body.institutionId');
  }
  if (institution.archived) {
    throw new Unprocessable('institution_archived', 'This institution is archived.', 'body.institutionId');
  }
}
