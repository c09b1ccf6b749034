/**
 * How many entries each list of a bonding file may hold. A loan needs one primary guardian and one primary
 * bank account; parents, guardians and sponsors together rarely pass five, and a student seldom has more
 * than two accounts. The caps keep a file reviewable and every write's work bounded; one more is a 409.
 */
export const MAX_GUARDIANS = 10;
export const MAX_BANK_ACCOUNTS = 5;
