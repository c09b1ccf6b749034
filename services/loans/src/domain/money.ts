/** The largest amount the API writes as a JSON number: 2^53 − 1 stays exact. */
export const MAX_MINOR_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

/** Minor units as a bigint from a BIGINT column (a decimal string) or a validated safe integer. */
export function minorUnits(value: string | number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
    return BigInt(value);
  }
  if (!/^-?\d{1,20}$/.test(value)) throw new RangeError(`not an integer: ${value}`);
  return BigInt(value);
}

/** An amount for a JSON response; amounts stay within ±(2^53 − 1), so this is exact. */
export function toJsonAmount(value: bigint): number {
  if (value > MAX_MINOR_UNITS || value < -MAX_MINOR_UNITS) throw new RangeError('amount beyond 2^53 − 1');
  return Number(value);
}
