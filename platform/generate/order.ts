// Sorting for generated files by code unit, never by locale: the same bytes on every machine.
export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
