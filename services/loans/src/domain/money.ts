export { MAX_MINOR_UNITS, minorUnits, toJsonAmount } from '@bonding/kit';
