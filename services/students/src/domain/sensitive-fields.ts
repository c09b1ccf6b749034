import { blindIndex, type FieldCipher, maskLastFour } from '@bonding/kit';

/** What is stored for a sensitive value: sealed, a blind index for equality, and the last four for display. */
export interface SealedField {
  sealed: string;
  index: string;
  last4: string;
}

export interface SensitiveFields {
  nationalId(value: string): SealedField;
  bankAccount(bankName: string, accountNumber: string): SealedField;
}

/** National IDs compare without spaces or case; account numbers by their digits at a given bank. */
export const normaliseNationalId = (value: string) => value.replace(/\s+/g, '').toUpperCase();
export const normaliseAccountNumber = (value: string) => value.replace(/[\s-]+/g, '');
const normaliseBank = (value: string) => value.trim().toLowerCase().replace(/\s+/g, ' ');

export function createSensitiveFields(cipher: FieldCipher, indexKey: Buffer): SensitiveFields {
  const seal = (purpose: string, value: string, indexInput: string): SealedField => ({
    sealed: cipher.seal(value),
    index: blindIndex(indexKey, purpose, indexInput),
    last4: value.slice(-4),
  });
  return {
    nationalId(value) {
      const normalised = normaliseNationalId(value);
      return seal('national-id', normalised, normalised);
    },
    bankAccount(bankName, accountNumber) {
      const number = normaliseAccountNumber(accountNumber);
      return seal('bank-account', number, `${normaliseBank(bankName)}|${number}`);
    },
  };
}

export const masked = (last4: string) => maskLastFour(`0000${last4}`);
