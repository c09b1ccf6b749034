import type { FieldError } from '@bonding/kit';

export interface ProductTerms {
  minPrincipal: number;
  maxPrincipal: number;
  minTermMonths: number;
  maxTermMonths: number;
  interestDuringStudy: string | null;
  graceMonthsAfterStudy: number | null;
}

/** Rules between fields that no single field's schema can check. */
export function termViolations(terms: ProductTerms): FieldError[] {
  const errors: FieldError[] = [];
  if (terms.maxPrincipal < terms.minPrincipal) {
    errors.push({ field: 'body.maxPrincipal', message: 'must be at least minPrincipal', code: 'too_small' });
  }
  if (terms.maxTermMonths < terms.minTermMonths) {
    errors.push({
      field: 'body.maxTermMonths',
      message: 'must be at least minTermMonths',
      code: 'too_small',
    });
  }
  if ((terms.interestDuringStudy === null) !== (terms.graceMonthsAfterStudy === null)) {
    const missing = terms.interestDuringStudy === null ? 'interestDuringStudy' : 'graceMonthsAfterStudy';
    errors.push({
      field: `body.${missing}`,
      message: 'study terms go together: set interestDuringStudy and graceMonthsAfterStudy, or neither',
      code: 'required',
    });
  }
  return errors;
}
