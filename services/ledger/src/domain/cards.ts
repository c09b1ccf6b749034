export const CARD_BRANDS = ['visa', 'mastercard'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export const CARD_STATUSES = ['active', 'frozen', 'cancelled'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** Virtual cards are valid for three years from the month they are issued. */
export const CARD_VALIDITY_MONTHS = 36;

/**
 * What the ledger keeps of a virtual card: brand, last four digits and expiry.
 * No full card number or security code exists here at all — issuing the real
 * credentials belongs to a card processor — so none can be stored or logged.
 */
export interface CardDetails {
  brand: CardBrand;
  lastFour: string;
  expiryMonth: number;
  expiryYear: number;
}

export function newCardDetails(brand: CardBrand, now: Date, randomDigit: () => number): CardDetails {
  const lastFour = Array.from({ length: 4 }, () => String(randomDigit() % 10)).join('');
  const monthIndex = now.getUTCFullYear() * 12 + now.getUTCMonth() + CARD_VALIDITY_MONTHS;
  return { brand, lastFour, expiryMonth: (monthIndex % 12) + 1, expiryYear: Math.floor(monthIndex / 12) };
}

export type CardAction = 'freeze' | 'unfreeze' | 'cancel';

export type CardStatusChange =
  | { ok: true; status: CardStatus }
  | { ok: false; code: 'card_cancelled' | 'card_not_active' | 'card_not_frozen' };

/** active ⇄ frozen; either → cancelled, which is final. */
export function changeCardStatus(current: CardStatus, action: CardAction): CardStatusChange {
  if (current === 'cancelled') return { ok: false, code: 'card_cancelled' };
  switch (action) {
    case 'freeze':
      return current === 'active' ? { ok: true, status: 'frozen' } : { ok: false, code: 'card_not_active' };
    case 'unfreeze':
      return current === 'frozen' ? { ok: true, status: 'active' } : { ok: false, code: 'card_not_frozen' };
    case 'cancel':
      return { ok: true, status: 'cancelled' };
  }
}
