/** An amount as events carry it: integer minor units as a decimal string, and an ISO 4217 code. */
export interface Money {
  amountMinor: string;
  currency: string;
}

/** How many minor units a currency has (MWK 2, JPY 0, BHD 3), as Intl knows it; 2 for codes it does not. */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

/**
 * `MWK 150,000.00` from `{ amountMinor: "15000000", currency: "MWK" }`, with
 * integer arithmetic only: no float ever touches an amount.
 */
export function formatMoney({ amountMinor, currency }: Money): string {
  const digits = minorDigits(currency);
  const minor = BigInt(amountMinor);
  const negative = minor < 0n;
  const magnitude = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = (magnitude / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? `.${(magnitude % scale).toString().padStart(digits, '0')}` : '';
  return `${currency} ${negative ? '-' : ''}${whole}${fraction}`;
}
