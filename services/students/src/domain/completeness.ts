/** What a loan needs from the bonding file. */
export interface Completeness {
  personalDetails: boolean;
  guardian: boolean;
  primaryBankAccount: boolean;
  complete: boolean;
}

export function completenessOf(file: {
  hasPersonal: boolean;
  guardians: number;
  hasPrimaryBankAccount: boolean;
}): Completeness {
  const personalDetails = file.hasPersonal;
  const guardian = file.guardians > 0;
  const primaryBankAccount = file.hasPrimaryBankAccount;
  return {
    personalDetails,
    guardian,
    primaryBankAccount,
    complete: personalDetails && guardian && primaryBankAccount,
  };
}
