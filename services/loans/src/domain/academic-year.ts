/**
 * An academic year as "2026/2027": two consecutive four-digit years. "Consecutive" is arithmetic, yet it
 * is a regular expression once spelled out by where the carry stops: the first year's last digit that
 * is not 9 goes up by one and the 9s after it become 0s (2026/2027, 2029/2030, 2099/2100), the digits
 * before it are repeated (a back-reference). One expression then both checks the field and states the
 * rule in the OpenAPI document, so the two cannot disagree.
 */
function academicYearSource(): string {
  const alternatives: string[] = [];
  let group = 0;
  for (let nines = 0; nines <= 3; nines++) {
    const kept = 3 - nines;
    if (kept > 0) group++;
    // (?:\1) keeps the back-reference apart from the digit after it (\11 would be group 11).
    const repeated = kept > 0 ? `(?:\\${group})` : '';
    const alternativesOfDigit = Array.from({ length: 9 }, (_, digit) => {
      const first = `${digit}${'9'.repeat(nines)}`;
      const second = `${digit + 1}${'0'.repeat(nines)}`;
      return `${first}/${repeated}${second}`;
    });
    alternatives.push(`${kept > 0 ? `([0-9]{${kept}})` : ''}(?:${alternativesOfDigit.join('|')})`);
  }
  return `^(?:${alternatives.join('|')})$`;
}

export const ACADEMIC_YEAR_FORMAT = new RegExp(academicYearSource());
