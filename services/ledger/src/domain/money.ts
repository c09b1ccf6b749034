/** An ISO 4217 currency code. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

export { MAX_MINOR_UNITS, minorUnits, toJsonAmount } from '@bonding/kit';
