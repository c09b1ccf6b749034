/**
 * Money is an integer count of minor units (tambala, cents) everywhere: bigint in code, BIGINT in the
 * database, an exact JSON number on the wire. Never a float.
 */

/**
 * The largest amount or balance, in minor units: 2^53 − 1, the largest integer a JSON number carries
 * exactly. Amounts and balances stay within ±this, so every amount an API returns is exact too.
 */
export const MAX_MINOR_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Minor units as a bigint, from what the database returns (BIGINT as a decimal string) or a validated
 * safe integer — never through a float.
 */
export function minorUnits(value: string | number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
    return BigInt(value);
  }
  if (!/^-?\d{1,20}$/.test(value)) throw new RangeError(`not an integer: ${value}`);
  return BigInt(value);
}

/** An amount for a JSON response: exact, because amounts never leave ±(2^53 − 1). */
export function toJsonAmount(value: bigint): number {
  if (value > MAX_MINOR_UNITS || value < -MAX_MINOR_UNITS) {
    throw new RangeError('amount beyond the exact range of JSON numbers');
  }
  return Number(value);
}
