import type { FieldError } from '@bonding/kit';

/** One term of a loan's plan, as applied for: minor units, a business date. */
export interface PlannedTranche {
  termLabel: string;
  plannedDate: string;
  tuition: bigint;
  upkeep: bigint;
}

/** Which legs a product's category may pay: tuition to the institution, upkeep to the student. */
const LEGS: Record<string, { tuition: boolean; upkeep: boolean }> = {
  tuition: { tuition: true, upkeep: false },
  upkeep: { tuition: false, upkeep: true },
  other: { tuition: false, upkeep: true },
  student: { tuition: true, upkeep: true },
};

export interface PlanContext {
  /** Today's business date: no tranche is planned before it. */
  businessDate: string;
  /** The product's category (catalog). */
  category: string;
  /** Whether the application names an institution (the tuition payee). */
  hasInstitution: boolean;
}

/**
 * What is wrong with a tranche plan, field by field (empty when nothing is): planned dates from today's
 * business date on, in order, one term each; something to pay in every tranche; tuition only with an
 * institution and each leg only where the product's category allows it.
 */
export function planProblems(plan: readonly PlannedTranche[], context: PlanContext): FieldError[] {
  const errors: FieldError[] = [];
  const legs = LEGS[context.category] ?? { tuition: false, upkeep: true };
  plan.forEach((tranche, index) => {
    const at = `body.tranches.${index}`;
    if (tranche.plannedDate < context.businessDate) {
      errors.push({
        field: `${at}.plannedDate`,
        message: `must not be before today's business date, ${context.businessDate}`,
        code: 'date_in_past',
      });
    }
    const previous = plan[index - 1];
    if (previous && tranche.plannedDate <= previous.plannedDate) {
      errors.push({
        field: `${at}.plannedDate`,
        message: 'must come after the previous tranche’s planned date',
        code: 'out_of_order',
      });
    }
    if (tranche.tuition + tranche.upkeep <= 0n) {
      errors.push({
        field: at,
        message: 'must pay something: tuition, upkeep or both',
        code: 'empty_tranche',
      });
    }
    if (tranche.tuition > 0n && !legs.tuition) {
      errors.push({
        field: `${at}.tuition`,
        message: `a ${context.category} product pays no tuition`,
        code: 'leg_not_allowed',
      });
    }
    if (tranche.upkeep > 0n && !legs.upkeep) {
      errors.push({
        field: `${at}.upkeep`,
        message: `a ${context.category} product pays no upkeep`,
        code: 'leg_not_allowed',
      });
    }
  });
  if (!context.hasInstitution && plan.some((tranche) => tranche.tuition > 0n)) {
    errors.push({
      field: 'body.institutionId',
      message: 'required when a tranche pays tuition',
      code: 'required',
    });
  }
  return errors;
}

/** What the plan lends in all: the principal approved. */
export const planTotal = (plan: readonly PlannedTranche[]) =>
  plan.reduce((sum, tranche) => sum + tranche.tuition + tranche.upkeep, 0n);
